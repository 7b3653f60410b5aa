"""The hand-written part of BENCHMARKS.md: method, what was left out and why, and what bounds each figure."""

from __future__ import annotations

from typing import Any


def summary(preset: str, sizes: Any) -> list[str]:
    return [
        "Sizes of this run: event log "
        + ", ".join(f"{n:,}" for n in sizes.eventlog)
        + f" events (+{sizes.singles:,} single-event appends); rebuild "
        + ", ".join(f"{n:,}" for n in sizes.rebuild)
        + " events; ingest "
        + "; ".join(f"{b} " + ", ".join(f"{n:,}" for n in ns) for b, ns in sizes.ingest.items())
        + " reports; match against "
        + ", ".join(f"{n:,}" for n in sizes.match)
        + f" stored reports with {sizes.probes} probes.",
        "",
    ]


EVENTLOG: list[str] = []
REBUILD: list[str] = []
INGEST: list[str] = []
MATCH: list[str] = []
HOT_SPOTS: list[str] = []
