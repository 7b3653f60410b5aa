"""Hot spots of a callable, from pyinstrument (optional: the figures do not need it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, kw_only=True)
class Spot:
    where: str  # function and file:line
    seconds: float
    share: float  # of the profiled total


def available() -> bool:
    try:
        import pyinstrument  # noqa: F401
    except ImportError:
        return False
    return True


def profile(fn: Callable[[], Any], *, top: int = 12) -> tuple[list[Spot], list[Spot]]:
    """Run ``fn`` under pyinstrument; return (own-time spots, inclusive time of Accord's own functions).

    Inclusive time counts each function once per call path (a recursive call is not counted twice).
    """
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        fn()
    finally:
        profiler.stop()
    session = profiler.last_session
    root = session.root_frame() if session else None
    if root is None:
        return [], []
    total = root.time or 1e-9
    own: dict[str, float] = {}
    inclusive: dict[str, float] = {}

    def where(frame: Any) -> str:
        path = Path(frame.file_path or "?")
        try:
            shown = str(path.resolve().relative_to(ROOT))
        except ValueError:
            shown = "/".join(path.parts[-2:])
        return f"{frame.function} ({shown}:{frame.line_no})"

    def walk(frame: Any, active: frozenset[str]) -> None:
        if frame.is_synthetic:  # "[self]" time is counted by its parent's total_self_time
            for child in frame.children:
                walk(child, active)
            return
        key = where(frame)
        own[key] = own.get(key, 0.0) + frame.total_self_time
        path = frame.file_path or ""
        in_project = str(ROOT) in path and "/.venv/" not in path and "/bench/" not in path
        if in_project and key not in active:
            inclusive[key] = inclusive.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, active | {key})

    walk(root, frozenset())

    def spots(table: dict[str, float]) -> list[Spot]:
        ranked = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [Spot(where=k, seconds=v, share=v / total) for k, v in ranked]

    return spots(own), spots(inclusive)
