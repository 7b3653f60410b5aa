"""Latency of matching one new report against a large store.

The store's projection tables are bulk-loaded directly: ``size`` reports, each with its matcher profile
(``ReportProfile.to_dict``) in ``reports`` and its blocking keys (``matcher.index_keys``) in
``match_keys``. The profiles are the extraction pool's (``bench.corpus``), cycle ``c`` shifted by ``c``
spans of the generator's eight years, so the density of reports per week — what a candidate look-up
sees — stays that of the synthetic stream however large the store (a bigger archive covers more weeks;
it does not make one week busier). Each group of the generator's truth is stored as one meeting.

The probes are the last ``probes`` reports of the pool, held out of cycle 0: each has twins and
look-alikes in the store. Per probe, inside a transaction that is rolled back: insert its row and keys
(untimed), then time ``Pipeline.match`` — candidate look-ups, component walk, pair scores, clustering,
and appending the decisions to the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert

from bench.corpus import Extracted, article_id, pool
from bench.databases import accord_engine
from bench.measure import Figure, percentile, timed
from extract.facts import Extraction
from jobs.pipeline import Pipeline
from matcher import ReportProfile, index_keys, profile_from_extraction
from store.events import canonical_json
from store.schema import MatchKeyRow, ReportRow

CYCLE_SHIFT = timedelta(weeks=418)  # about the generator's eight years, whole weeks (weekdays kept)
LOAD_BATCH = 5000


def _profile(aid: str, item: Extracted, cycle: int) -> ReportProfile:
    r = item.report
    p = profile_from_extraction(aid, Extraction.from_dict(item.extraction), r.text, r.title)
    if p.date_from is None or p.date_to is None or cycle == 0:
        return p
    shift = CYCLE_SHIFT * cycle
    return replace(p, date_from=p.date_from + shift, date_to=p.date_to + shift)


def _row(aid: str, item: Extracted, profile: ReportProfile, cluster: list[str]) -> dict[str, Any]:
    r = item.report
    return {
        "article_id": aid,
        "source": r.source,
        "origin": r.source,
        "title": r.title,
        "published": r.published,
        "content_hash": aid,
        "revision": 1,
        "received_position": 0,
        "article_position": 0,
        "profile": canonical_json(profile.to_dict()),
        "cluster": canonical_json(cluster),
        "outcome": "merged" if len(cluster) > 1 else "new",
        "meeting_id": f"m-{cluster[0]}",
    }


def _stored(size: int, held_out: int) -> Iterator[tuple[str, Extracted, int, list[str]]]:
    """(article id, item, cycle, its group) for ``size`` stored reports, skipping the held-out probes."""
    items = pool()
    kept = items[: len(items) - held_out]
    cycle, done = 0, 0
    while done < size:
        batch = kept if cycle == 0 else items
        groups: dict[str, list[str]] = {}
        ids = [article_id(cycle, item) for item in batch]
        for aid, item in zip(ids, batch, strict=True):
            groups.setdefault(item.report.gold, []).append(aid)
        for aid, item in zip(ids, batch, strict=True):
            if done >= size:
                return
            yield aid, item, cycle, sorted(groups[item.report.gold])
            done += 1
        cycle += 1


def load(engine: Engine, size: int, held_out: int) -> dict[str, int]:
    """Bulk-load ``size`` reports and their keys. Returns row counts."""
    reports: list[dict[str, Any]] = []
    keys: list[dict[str, str]] = []
    counts = {"reports": 0, "match_keys": 0, "meetings": 0}
    meetings: set[str] = set()

    def flush(conn: Connection) -> None:
        if reports:
            conn.execute(insert(ReportRow), reports)
        if keys:
            conn.execute(insert(MatchKeyRow), keys)
        counts["reports"] += len(reports)
        counts["match_keys"] += len(keys)
        reports.clear()
        keys.clear()

    with engine.begin() as conn:
        for aid, item, cycle, group in _stored(size, held_out):
            profile = _profile(aid, item, cycle)
            reports.append(_row(aid, item, profile, group))
            keys.extend({"key": k, "article_id": aid} for k in index_keys(profile))
            meetings.add(group[0])
            if len(reports) >= LOAD_BATCH:
                flush(conn)
        flush(conn)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    counts["meetings"] = len(meetings)
    return counts


def probe_latencies(engine: Engine, probes: list[Extracted]) -> tuple[list[float], list[int]]:
    """Seconds per ``Pipeline.match`` call, and decisions logged per call."""
    pipeline = Pipeline(engine)
    latencies: list[float] = []
    decisions: list[int] = []
    for item in probes:
        aid = article_id(0, item)
        profile = _profile(aid, item, 0)
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(insert(ReportRow), [_row(aid, item, profile, [aid])])
            conn.execute(insert(MatchKeyRow), [{"key": k, "article_id": aid} for k in index_keys(profile)])
            with timed() as t:
                events = pipeline.match(conn, aid, trigger=aid)
            tx.rollback()
        latencies.append(t.seconds)
        decisions.append(len(events))
    return latencies, decisions


def measure(backend: str, size: int, probes: int) -> list[Figure]:
    items = pool()
    held = items[len(items) - probes :]
    with accord_engine(backend, "match") as engine:
        with timed() as load_time:
            counts = load(engine, size, probes)
        probe_latencies(engine, held[: min(20, len(held))])  # warm caches and statement compilation
        latencies, decisions = probe_latencies(engine, held)
    ms = [s * 1000 for s in latencies]
    common = {"scenario": "match", "backend": backend, "impl": "accord", "size": size, "count": len(ms)}
    extra = {
        **counts,
        "load_seconds": round(load_time.seconds, 1),
        "mean_decisions": round(sum(decisions) / len(decisions), 2),
        "max_ms": round(max(ms), 1),
    }
    return [
        Figure(**common, metric="match one report, p50", value=percentile(ms, 50), unit="ms", extra=extra),
        Figure(**common, metric="match one report, p99", value=percentile(ms, 99), unit="ms", extra=extra),
    ]


def describe(counts: dict[str, int]) -> str:
    return json.dumps(counts)
