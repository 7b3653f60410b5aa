"""Which measurements a run makes, at which sizes: the ``full``, ``large``, ``quick`` and ``smoke`` presets.

Sizes are chosen so that ``make bench`` (full) stays under ~25 minutes on a 2-core machine; every job
runs in its own process so its peak memory is its own. ``large`` holds what does not fit: match latency
against 1M stored meetings (2.5M reports; SQLite and PostgreSQL), the 1M-event rebuild, ingest at 100k
reports on SQLite and at 10k on PostgreSQL (wall times measured on the 2-core machine are noted by each
size). BENCHMARKS.md says what was left out and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Job:
    scenario: str  # "eventlog" | "rebuild" | "ingest" | "match"
    backend: str
    size: int
    params: dict[str, Any] = field(default_factory=dict)
    profile: bool = False  # a pyinstrument run instead of a measurement

    def label(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in sorted(self.params.items()))
        kind = "profile " if self.profile else ""
        return f"{kind}{self.scenario} {self.backend} size={self.size}{extra}"


@dataclass(frozen=True, kw_only=True)
class Sizes:
    eventlog: tuple[int, ...]
    singles: int
    rebuild: tuple[int, ...]
    ingest: dict[str, tuple[int, ...]]
    match: tuple[int, ...]
    probes: int
    profile_rebuild: int
    profile_ingest: int
    timeout_s: float | None = None  # a job running longer is stopped and recorded as failed


PRESETS = {
    "full": Sizes(
        eventlog=(10_000, 100_000),
        singles=1000,
        rebuild=(10_000, 100_000),
        # The ingest streams have one density at every size (bench.corpus.REPORTS_PER_DAY), so 10k is
        # ten times 1k's work: ~2-3 min on SQLite. PostgreSQL at 10k (~5 min) is in ``large``.
        ingest={"sqlite": (1000, 10_000), "postgresql": (1000,)},
        match=(10_000, 100_000),
        probes=300,
        profile_rebuild=10_000,
        profile_ingest=300,
        timeout_s=900,
    ),
    "large": Sizes(
        eventlog=(),
        singles=0,
        rebuild=(1_000_000,),
        # ``full`` measures SQLite at 1k and 10k: these are the next sizes, merged beside them.
        ingest={"sqlite": (100_000,), "postgresql": (10_000,)},
        # 2.5M reports hold ~1M meetings (each meeting has ~2.5 reports): the target's "1M meetings".
        match=(2_500_000,),
        probes=300,
        profile_rebuild=0,
        profile_ingest=0,
        timeout_s=3 * 3600,
    ),
    "quick": Sizes(
        eventlog=(1000, 10_000),
        singles=200,
        rebuild=(1000, 10_000),
        ingest={"sqlite": (100, 1000), "postgresql": (100,)},
        match=(1000, 10_000),
        probes=100,
        profile_rebuild=2000,
        profile_ingest=100,
    ),
    "smoke": Sizes(
        eventlog=(50,),
        singles=10,
        rebuild=(50,),
        ingest={"sqlite": (5,), "postgresql": (5,)},
        match=(50,),
        probes=5,
        profile_rebuild=50,
        profile_ingest=5,
    ),
}

SCENARIOS = ("eventlog", "rebuild", "ingest", "match")


def jobs(preset: str, backends: tuple[str, ...], only: str | None, impls: tuple[str, ...]) -> list[Job]:
    s = PRESETS[preset]
    result: list[Job] = []
    for backend in backends:
        if only in (None, "eventlog"):
            for size in s.eventlog:
                for impl in impls:
                    result.append(
                        Job(
                            scenario="eventlog",
                            backend=backend,
                            size=size,
                            params={"impl": impl, "singles": s.singles},
                        )
                    )
        if only in (None, "rebuild"):
            result += [Job(scenario="rebuild", backend=backend, size=n) for n in s.rebuild]
        if only in (None, "ingest"):
            result += [Job(scenario="ingest", backend=backend, size=n) for n in s.ingest.get(backend, ())]
        if only in (None, "match"):
            result += [
                Job(scenario="match", backend=backend, size=n, params={"probes": s.probes}) for n in s.match
            ]
    if backends and backends[0] == "sqlite":
        if only in (None, "rebuild") and s.profile_rebuild:
            result.append(Job(scenario="rebuild", backend="sqlite", size=s.profile_rebuild, profile=True))
        if only in (None, "ingest") and s.profile_ingest:
            result.append(Job(scenario="ingest", backend="sqlite", size=s.profile_ingest, profile=True))
    return result
