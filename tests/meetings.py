"""Finding a meeting in the export by one of its reports' file names (shared by the pipeline, review and
web tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from store.queries import export_meetings


def name(source: str) -> str:
    """A report's file name (its source without the folder); a URL stays whole."""
    return source if "://" in source else Path(source).name


def meeting_with(engine: Engine, report: str) -> dict[str, Any]:
    """The exported meeting one of whose reports is the file (or URL) ``report``."""
    with engine.connect() as conn:
        return next(m for m in export_meetings(conn) if report in {name(r["source"]) for r in m["reports"]})
