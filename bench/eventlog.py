"""Event log throughput: ours (store.eventlog) against the eventsourcing library's recorders, same work.

Per backend and implementation, on a fresh database: append ``size`` events in transactions of 100, then
``singles`` more events one per transaction (so the single-event rate is measured with the log already
``size`` long), then read the whole log back in pages of 1000.

Both sides store the same bytes: the canonical JSON of an ``ArticleReceived`` whose ``text`` and ``raw``
are ~3 KB each, three events per stream. eventsourcing gets it as ``StoredEvent.state`` through its
*application* recorder, the one with a global order (notification ids) like our log's positions, and
reads through ``select_notifications``; ours reads through ``EventLog.read`` into ``StoredEvent`` values.
Neither side decodes payloads into domain objects while reading.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bench.databases import Throwaway, throwaway
from bench.measure import Figure, rate, timed
from store.db import open_database
from store.eventlog import EventLog
from store.events import ArticleReceived, NewEvent, canonical_json

BATCH = 100
READ_PAGE = 1000
EVENTS_PER_STREAM = 3
TEXT_BYTES = 3000
_SENTENCE = (
    "The foreign minister received the visiting delegation in the capital on Tuesday, and the two sides "
    "discussed trade, energy security and regional cooperation, the ministry said in a statement. "
)


def article_event(i: int) -> tuple[str, ArticleReceived]:
    """The i-th benchmark event and its stream: a realistic ArticleReceived with ~3 KB of text."""
    stream = i // EVENTS_PER_STREAM
    text = (f"Report {i}. " + _SENTENCE * (TEXT_BYTES // len(_SENTENCE) + 1))[:TEXT_BYTES]
    article_id = hashlib.sha256(f"bench-{stream}".encode()).hexdigest()[:20]
    event = ArticleReceived(
        article_id=article_id,
        source=f"https://news.example/{stream}/{i}",
        origin="https://news.example/feed.xml",
        item_key=str(i),
        title=f"Minister meets delegation ({i})",
        published="2024-03-05",
        content_type="text/plain",
        raw=text,
        text=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        received_at="2024-03-05T10:00:00+00:00",
    )
    return f"article-{article_id}", event


class Subject:
    """One implementation under test, opened on one throwaway database."""

    impl: str

    def append(self, events: list[tuple[str, ArticleReceived]]) -> None:
        """Append ``events`` in one transaction."""
        raise NotImplementedError

    def read_all(self) -> int:
        """Read the whole log in pages; return how many events were read."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class AccordSubject(Subject):
    impl = "accord"

    def __init__(self, db: Throwaway) -> None:
        self.engine = open_database(db.url, auto_upgrade=True)

    def append(self, events: list[tuple[str, ArticleReceived]]) -> None:
        with self.engine.begin() as conn:
            EventLog(conn).append([NewEvent(stream_id=s, event=e) for s, e in events])

    def read_all(self) -> int:
        count, after = 0, 0
        with self.engine.connect() as conn:
            log = EventLog(conn)
            while page := log.read(after=after, limit=READ_PAGE):
                count += len(page)
                after = page[-1].position
        return count

    def close(self) -> None:
        self.engine.dispose()


class EventsourcingSubject(Subject):
    """eventsourcing 9.x application recorder (global order), text originator ids like our stream ids."""

    impl = "eventsourcing"

    def __init__(self, db: Throwaway) -> None:
        from eventsourcing.persistence import StoredEvent

        self._stored_event = StoredEvent
        if db.backend == "sqlite":
            from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

            self.datastore: Any = SQLiteDatastore(str(db.sqlite_path), originator_id_type="text")
            self.recorder: Any = SQLiteApplicationRecorder(self.datastore)
        else:
            from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

            self.datastore = PostgresDatastore(**db.pg_params(), originator_id_type="text")  # type: ignore[arg-type]
            self.recorder = PostgresApplicationRecorder(self.datastore)
        self.recorder.create_table()
        self.versions: dict[str, int] = {}

    def append(self, events: list[tuple[str, ArticleReceived]]) -> None:
        stored = []
        for stream, event in events:
            version = self.versions.get(stream, 0) + 1
            self.versions[stream] = version
            state = canonical_json(event.payload()).encode("utf-8")
            stored.append(self._stored_event(stream, version, "store.events:ArticleReceived", state))
        self.recorder.insert_events(stored)

    def read_all(self) -> int:
        count, start = 0, 1
        while page := self.recorder.select_notifications(start, READ_PAGE):
            count += len(page)
            start = page[-1].id + 1
        return count

    def close(self) -> None:
        self.datastore.close()


def eventsourcing_available() -> bool:
    try:
        import eventsourcing.postgres
        import eventsourcing.sqlite  # noqa: F401
    except ImportError:
        return False
    return True


SUBJECTS: dict[str, Callable[[Throwaway], Subject]] = {
    "accord": AccordSubject,
    "eventsourcing": EventsourcingSubject,
}


@dataclass(frozen=True, kw_only=True)
class Plan:
    size: int  # events appended in batches of 100
    singles: int  # then this many single-event transactions


def _events(start: int, count: int) -> Iterator[tuple[str, ArticleReceived]]:
    for i in range(start, start + count):
        yield article_event(i)


def measure(backend: str, impl: str, plan: Plan) -> list[Figure]:
    """Batch appends, single appends, and a full read, for one implementation on one backend."""
    with throwaway(backend, f"log_{impl}") as db:
        subject = SUBJECTS[impl](db)
        try:
            batch_seconds = 0.0
            for start in range(0, plan.size, BATCH):
                batch = list(_events(start, min(BATCH, plan.size - start)))  # built outside the timing
                with timed() as t:
                    subject.append(batch)
                batch_seconds += t.seconds
            singles = list(_events(plan.size, plan.singles))
            with timed() as single_time:
                for item in singles:
                    subject.append([item])
            with timed() as read_time:
                read = subject.read_all()
        finally:
            subject.close()
    if read != plan.size + plan.singles:
        raise RuntimeError(f"{impl} on {backend} read {read} events, wrote {plan.size + plan.singles}")
    payload_bytes = len(canonical_json(article_event(0)[1].payload()).encode())
    common = {"scenario": "eventlog", "backend": backend, "impl": impl, "size": plan.size}
    extra = {"payload_bytes": payload_bytes}
    return [
        Figure(
            **common,
            metric="append, batches of 100",
            value=rate(plan.size, batch_seconds),
            unit="events/s",
            count=plan.size,
            seconds=batch_seconds,
            extra=extra,
        ),
        Figure(
            **common,
            metric="append, 1 event per transaction",
            value=rate(plan.singles, single_time.seconds),
            unit="events/s",
            count=plan.singles,
            seconds=single_time.seconds,
            extra=extra,
        ),
        Figure(
            **common,
            metric="read whole log, pages of 1000",
            value=rate(read, read_time.seconds),
            unit="events/s",
            count=read,
            seconds=read_time.seconds,
            extra=extra,
        ),
    ]
