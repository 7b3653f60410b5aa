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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from bench.corpus import Extracted, article_id, pool
from bench.databases import accord_engine
from bench.measure import Figure, percentile, timed
from extract.facts import Extraction
from jobs.pipeline import Pipeline
from matcher import ReportProfile, index_keys, profile_from_extraction
from matcher.blocking import ANY, UNDATED
from store.events import canonical_json
from store.schema import MatchKeyRow, ReportRow

CYCLE_SHIFT = timedelta(weeks=418)  # about the generator's eight years, whole weeks (weekdays kept)
LOAD_BATCH = 20_000
_REPORT_COLUMNS = (
    "article_id",
    "source",
    "origin",
    "title",
    "published",
    "content_hash",
    "revision",
    "received_position",
    "article_position",
    "profile",
    "cluster",
    "outcome",
    "meeting_id",
)


def _profile(aid: str, item: Extracted, cycle: int) -> ReportProfile:
    r = item.report
    p = profile_from_extraction(aid, Extraction.from_dict(item.extraction), r.text, r.title)
    if p.date_from is None or p.date_to is None or cycle == 0:
        return p
    shift = CYCLE_SHIFT * cycle
    return replace(p, date_from=p.date_from + shift, date_to=p.date_to + shift)


def _row(aid: str, item: Extracted, profile: ReportProfile, cluster: list[str]) -> dict[str, Any]:
    return _row_from_doc(aid, item, profile.to_dict(), cluster)


def _row_from_doc(aid: str, item: Extracted, doc: dict[str, Any], cluster: list[str]) -> dict[str, Any]:
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
        "profile": canonical_json(doc),
        "cluster": canonical_json(cluster),
        "outcome": "merged" if len(cluster) > 1 else "new",
        "meeting_id": f"m-{cluster[0]}",
    }


def shift_week(label: str, cycle: int) -> str:
    """An ISO week label ``YYYY-Www`` moved ``cycle`` times ``CYCLE_SHIFT`` later."""
    year, week = label.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1) + CYCLE_SHIFT * cycle
    iso = monday.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def shifted_keys(keys: Iterable[str], cycle: int, weeks: dict[str, str]) -> list[str]:
    """``index_keys`` of a dated profile shifted by ``cycle`` cycles, from the unshifted profile's keys
    (only the week buckets move; ``weeks`` memoises label -> shifted label for this cycle)."""
    out = []
    for key in keys:
        entity, _, bucket = key.rpartition("|")
        if bucket not in (ANY, UNDATED):
            moved = weeks.get(bucket)
            if moved is None:
                moved = weeks[bucket] = shift_week(bucket, cycle)
            key = f"{entity}|{moved}"
        out.append(key)
    return out


@dataclass(frozen=True, kw_only=True)
class _Template:
    """One pool item's cycle-0 profile (as a dict) and index keys, computed once for every cycle."""

    doc: dict[str, Any]
    date_from: date | None
    date_to: date | None
    keys: tuple[str, ...]


def _template(item: Extracted) -> _Template:
    p = _profile("", item, 0)
    return _Template(doc=p.to_dict(), date_from=p.date_from, date_to=p.date_to, keys=tuple(index_keys(p)))


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


def stored_rows(size: int, held_out: int) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Each stored report's row and its index keys: what ``_row`` and ``index_keys`` of the shifted
    profile give, computed from each pool item's cycle-0 profile instead of re-deriving it per cycle."""
    templates: dict[int, _Template] = {}
    weeks: dict[str, str] = {}
    current = 0
    for aid, item, cycle, group in _stored(size, held_out):
        if cycle != current:
            weeks, current = {}, cycle
        t = templates.get(id(item))
        if t is None:
            t = templates[id(item)] = _template(item)
        doc = {**t.doc, "report_id": aid}
        keys: Iterable[str] = t.keys
        if cycle and t.date_from is not None and t.date_to is not None:
            doc["date_from"] = (t.date_from + CYCLE_SHIFT * cycle).isoformat()
            doc["date_to"] = (t.date_to + CYCLE_SHIFT * cycle).isoformat()
            keys = shifted_keys(t.keys, cycle, weeks)
        yield _row_from_doc(aid, item, doc, group), list(keys)


def load(engine: Engine, size: int, held_out: int) -> dict[str, int]:
    """Bulk-load ``size`` reports and their keys (COPY on PostgreSQL, the driver's executemany on
    SQLite), then ``VACUUM ANALYZE`` on PostgreSQL as autovacuum would have done. Returns row counts."""
    counts = {"reports": 0, "match_keys": 0, "meetings": 0}
    meetings: set[str] = set()
    reports: list[tuple[Any, ...]] = []
    keys: list[tuple[str, str]] = []
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        if not postgres:
            raw.execute("PRAGMA cache_size=-400000")  # 400 MB: the key index is inserted in key order

        def flush() -> None:
            (_copy if postgres else _executemany)(raw, reports, keys)
            counts["reports"] += len(reports)
            counts["match_keys"] += len(keys)
            reports.clear()
            keys.clear()

        for row, row_keys in stored_rows(size, held_out):
            reports.append(tuple(row[c] for c in _REPORT_COLUMNS))
            keys.extend((k, row["article_id"]) for k in row_keys)
            meetings.add(row["meeting_id"])
            if len(reports) >= LOAD_BATCH:
                flush()
        flush()
    if postgres:
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    counts["meetings"] = len(meetings)
    return counts


def _executemany(raw: Any, reports: list[tuple[Any, ...]], keys: list[tuple[str, str]]) -> None:
    columns = ", ".join(_REPORT_COLUMNS)
    marks = ", ".join("?" * len(_REPORT_COLUMNS))
    raw.executemany(f"INSERT INTO reports ({columns}) VALUES ({marks})", reports)
    raw.executemany("INSERT INTO match_keys (key, article_id) VALUES (?, ?)", sorted(keys))


def _copy(raw: Any, reports: list[tuple[Any, ...]], keys: list[tuple[str, str]]) -> None:
    with raw.cursor() as cur:
        with cur.copy(f"COPY reports ({', '.join(_REPORT_COLUMNS)}) FROM STDIN") as copy:
            for report in reports:
                copy.write_row(report)
        with cur.copy("COPY match_keys (key, article_id) FROM STDIN") as copy:
            for key in keys:
                copy.write_row(key)


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
    common: dict[str, Any] = {
        "scenario": "match",
        "backend": backend,
        "impl": "accord",
        "size": size,
        "count": len(ms),
    }
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
