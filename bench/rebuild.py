"""Projection rebuild rate: replay a log of the real event sequence into empty projections.

The log is what ingesting synthetic reports writes — per report ``ArticleReceived`` → ``ReportExtracted``
(a real extraction, from ``bench.corpus.pool``) → ``MatchDecided`` for the new report and for every
earlier member whose group changed — but the grouping is the generator's truth (an oracle matcher)
and the events are appended in batches through ``EventLog.append``, so a million-event log builds in
minutes rather than hours. Each decision carries a real pair score (``matcher.score_pair``) as its best
candidate, so payloads have the size and shape the matcher writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from sqlalchemy import Engine

from bench.corpus import Extracted, article_id, cycled, pool
from bench.databases import accord_engine
from bench.measure import Figure, rate, timed
from extract.facts import Extraction
from extract.report import EXTRACTOR_VERSION
from jobs.pipeline import candidate_to_dict
from matcher import (
    MATCHER_VERSION,
    Candidate,
    PairScore,
    ReportProfile,
    profile_from_extraction,
    score_pair,
)
from store.eventlog import EventLog
from store.events import (
    ArticleReceived,
    DomainEvent,
    MatchDecided,
    NewEvent,
    ReportExtracted,
    article_stream,
)
from store.fanout import default_workers
from store.projections import PARALLEL_FROM
from store.rebuild import rebuild

APPEND_BATCH = 1000


_PROFILES: dict[str, ReportProfile] = {}


def _profile(item: Extracted) -> ReportProfile:
    r = item.report
    if r.source not in _PROFILES:
        extraction = Extraction.from_dict(item.extraction)
        _PROFILES[r.source] = profile_from_extraction(r.source, extraction, r.text, r.title)
    return _PROFILES[r.source]


@cache
def _pair(a: str, b: str) -> PairScore:
    return score_pair(_PROFILES[a], _PROFILES[b])


def _best(new: Extracted, member: Extracted, member_id: str) -> Candidate:
    _profile(new), _profile(member)
    s = _pair(new.report.source, member.report.source)
    return Candidate(report_id=member_id, score=s.score, features=s.features, veto=s.veto, reasons=s.reasons)


def events(size: int) -> Iterator[tuple[str, DomainEvent]]:
    """At least ``size`` events (stopping at a report boundary), in the order ingest would append them."""
    items = pool()
    position = 0
    groups: dict[str, list[tuple[str, Extracted]]] = {}
    for cycle, item in cycled(items, 10**9):
        if position >= size:
            return
        r = item.report
        aid = article_id(cycle, item)
        stream = article_stream(aid)
        yield (
            stream,
            ArticleReceived(
                article_id=aid,
                source=f"{r.source}#{cycle}",
                origin=r.source,
                item_key=str(cycle),
                title=r.title,
                published=r.published,
                content_type="text/plain",
                raw=r.text,
                text=r.text,
                content_hash=aid,
                received_at="2024-01-01T00:00:00+00:00",
            ),
        )
        position += 1
        yield (
            stream,
            ReportExtracted(
                article_id=aid,
                article_position=position,
                extractor_version=EXTRACTOR_VERSION,
                extraction=item.extraction,
            ),
        )
        position += 1
        members = groups.setdefault(f"{cycle}|{r.gold}", [])
        members.append((aid, item))
        cluster = sorted(m for m, _ in members)
        for member_id, member in sorted(members):
            best = None
            if len(members) > 1:
                other_id, other = next((m, x) for m, x in members if m != member_id)
                best = candidate_to_dict(_best(member, other, other_id))
            yield (
                article_stream(member_id),
                MatchDecided(
                    article_id=member_id,
                    cluster=cluster,
                    outcome="merged" if len(members) > 1 else "new",
                    review_with=None,
                    best=best,
                    candidates=[] if best is None else [best],
                    matcher_version=MATCHER_VERSION,
                    trigger=aid,
                ),
            )
            position += 1


def build_log(engine: Engine, size: int) -> int:
    """Append the event sequence to an empty log; return how many events were appended."""
    count = 0
    batch: list[NewEvent] = []

    def flush() -> None:
        with engine.begin() as conn:
            EventLog(conn).append(batch)
        batch.clear()

    for stream, event in events(size):
        batch.append(NewEvent(stream_id=stream, event=event, metadata={"actor": "bench"}))
        count += 1
        if len(batch) >= APPEND_BATCH:
            flush()
    if batch:
        flush()
    return count


def measure(backend: str, size: int) -> list[Figure]:
    with accord_engine(backend, "rebuild") as engine:
        with timed() as build_time:
            appended = build_log(engine, size)
        with timed() as rebuild_time:
            result = rebuild(engine)
    if result.events != appended:
        raise RuntimeError(f"rebuild folded {result.events} events, the log holds {appended}")
    return [
        Figure(
            scenario="rebuild",
            metric="full rebuild (replay into empty projections)",
            backend=backend,
            impl="accord",
            size=size,
            value=rate(appended, rebuild_time.seconds),
            unit="events/s",
            count=appended,
            seconds=rebuild_time.seconds,
            extra={
                "log_build_seconds": round(build_time.seconds, 1),
                # worker processes the replay used beside its own (see ``Projector.replay``)
                "replay_workers": default_workers() if appended >= PARALLEL_FROM else 0,
            },
        )
    ]


def hot_spots(backend: str, size: int) -> dict[str, object]:
    """Profile one rebuild of a ``size``-event log.

    The profiler sees the calling process only: from ``PARALLEL_FROM`` events on, the derivations and
    meeting folds run in worker processes and show up here as waits on their results.
    """
    from bench import profiling

    with accord_engine(backend, "rebuild_profile") as engine:
        build_log(engine, size)
        own, inclusive = profiling.profile(lambda: rebuild(engine))
    return {"own": own, "inclusive": inclusive}
