"""The append-only event log: append with optimistic concurrency, read, and verify the hash chain.

Appends are serialised: an append first takes the log's write lock (PostgreSQL: a transaction-scoped
advisory lock; SQLite: the write lock BEGIN IMMEDIATE took), then reads the tail and writes the next
positions. So positions are gapless and commit in order, which gives two guarantees at once:
- a projection tailing ``position > checkpoint`` can never pass over an event that commits later (no
  transaction can commit position N+1 while N is uncommitted: N's writer holds the lock until commit);
- one hash chain runs through the whole log, so ``verify`` checks every event and their order.
The price is one writer at a time; batch appends amortise it (see BENCHMARKS.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, func, insert, select, text
from sqlalchemy.exc import IntegrityError

from accord.errors import ConcurrencyError
from store.events import GENESIS_HASH, NewEvent, StoredEvent, canonical_json, utcnow
from store.schema import EventRow

EVENTS = EventRow.__table__
RawEvent = tuple[int, str, int, str]  # position, type, schema_version, payload
# Arbitrary, fixed: the advisory lock id that serialises appends on PostgreSQL.
APPEND_LOCK_ID = 0x4163636F7264  # "Accord"


@dataclass(frozen=True, kw_only=True)
class Verification:
    checked: int
    first_bad: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def _row_to_event(row: Row[Any]) -> StoredEvent:
    m = row._mapping
    return StoredEvent(
        position=m["position"],
        stream_id=m["stream_id"],
        stream_version=m["stream_version"],
        type=m["type"],
        schema_version=m["schema_version"],
        payload=m["payload"],
        metadata=m["metadata"],
        recorded_at=m["recorded_at"],
        prev_hash=m["prev_hash"],
        hash=m["hash"],
    )


class EventLog:
    """The log, used inside a transaction the caller owns (``with engine.begin() as conn``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock(self) -> None:
        """Take the append lock for the rest of this transaction (a no-op on SQLite: BEGIN IMMEDIATE)."""
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": APPEND_LOCK_ID})

    def head(self) -> tuple[int, str]:
        row = self.conn.execute(
            select(EVENTS.c.position, EVENTS.c.hash).order_by(EVENTS.c.position.desc()).limit(1)
        ).first()
        return (0, GENESIS_HASH) if row is None else (row.position, row.hash)

    def stream_version(self, stream_id: str) -> int:
        version = self.conn.execute(
            select(func.max(EVENTS.c.stream_version)).where(EVENTS.c.stream_id == stream_id)
        ).scalar_one()
        return int(version or 0)

    def append(
        self, new_events: Sequence[NewEvent], *, recorded_at: datetime | None = None
    ) -> list[StoredEvent]:
        """Append events atomically (with the caller's transaction) and return them as stored.

        ``expected_version`` on an event is the stream version the caller decided on; if the stream has
        moved, ``ConcurrencyError`` is raised and nothing of this batch is written.
        """
        if not new_events:
            return []
        self.lock()
        position, prev_hash = self.head()
        recorded_at = recorded_at or utcnow()
        versions: dict[str, int] = {}
        stored: list[StoredEvent] = []
        for new in new_events:
            if new.stream_id not in versions:
                versions[new.stream_id] = self.stream_version(new.stream_id)
            current = versions[new.stream_id]
            if new.expected_version is not None and new.expected_version != current:
                raise ConcurrencyError(new.stream_id, new.expected_version)
            position += 1
            versions[new.stream_id] = current + 1
            event = StoredEvent(
                position=position,
                stream_id=new.stream_id,
                stream_version=current + 1,
                type=new.event.TYPE,
                schema_version=new.event.SCHEMA,
                payload=canonical_json(new.event.payload()),
                metadata=canonical_json(new.metadata),
                recorded_at=recorded_at,
                prev_hash=prev_hash,
                hash="",
            )
            digest = event.expected_hash()
            stored.append(replace(event, hash=digest))
            prev_hash = digest
        rows = [
            {
                "position": e.position,
                "stream_id": e.stream_id,
                "stream_version": e.stream_version,
                "type": e.type,
                "schema_version": e.schema_version,
                "payload": e.payload,
                "metadata": e.metadata,
                "recorded_at": e.recorded_at,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in stored
        ]
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(EventRow), rows)
        except IntegrityError as e:
            first = new_events[0]
            raise ConcurrencyError(first.stream_id, first.expected_version or 0) from e
        return stored

    def read(
        self, *, after: int = 0, limit: int | None = None, types: Sequence[str] | None = None
    ) -> list[StoredEvent]:
        """Events with position > ``after``, in order."""
        query = select(EVENTS).where(EVENTS.c.position > after).order_by(EVENTS.c.position)
        if types:
            query = query.where(EVENTS.c.type.in_(types))
        if limit is not None:
            query = query.limit(limit)
        return [_row_to_event(row) for row in self.conn.execute(query)]

    def scan(self, *, after: int = 0, limit: int | None = None, page: int = 10_000) -> Iterator[RawEvent]:
        """(position, type, schema version, payload) of the events after ``after``, in order.

        For readers that fold payloads (projections): a raw DB-API cursor, pages of ``page`` events by
        position, no ``StoredEvent`` and no timestamp parsing. Stops after ``limit`` events if given.
        """
        mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        sql = (
            "SELECT position, type, schema_version, payload FROM events "
            f"WHERE position > {mark} ORDER BY position LIMIT {mark}"
        )
        cursor = self.conn.connection.cursor()
        try:
            left = limit
            while left is None or left > 0:
                size = page if left is None else min(page, left)
                cursor.execute(sql, (after, size))
                rows = cast(list[RawEvent], cursor.fetchall())
                if not rows:
                    return
                yield from rows
                after = rows[-1][0]
                if left is not None:
                    left -= len(rows)
                if len(rows) < size:
                    return
        finally:
            cursor.close()

    def iter_all(self, *, batch: int = 5000, after: int = 0) -> Iterator[StoredEvent]:
        while True:
            events = self.read(after=after, limit=batch)
            if not events:
                return
            yield from events
            after = events[-1].position

    def stream(self, stream_id: str) -> list[StoredEvent]:
        query = select(EVENTS).where(EVENTS.c.stream_id == stream_id).order_by(EVENTS.c.stream_version)
        return [_row_to_event(row) for row in self.conn.execute(query)]

    def at(self, positions: Sequence[int]) -> dict[int, StoredEvent]:
        if not positions:
            return {}
        rows = self.conn.execute(select(EVENTS).where(EVENTS.c.position.in_(sorted(set(positions)))))
        return {row.position: _row_to_event(row) for row in rows}

    def verify(self) -> Verification:
        """Walk the chain from the start; name the first position whose row does not match its hash."""
        expected_prev = GENESIS_HASH
        checked = 0
        for event in self.iter_all():
            checked += 1
            if event.position != checked:
                return Verification(
                    checked=checked,
                    first_bad=event.position,
                    reason=f"expected position {checked}: an event is missing",
                )
            if event.prev_hash != expected_prev:
                return Verification(
                    checked=checked, first_bad=event.position, reason="previous-hash link broken"
                )
            digest = event.expected_hash()
            if digest != event.hash:
                return Verification(
                    checked=checked, first_bad=event.position, reason="content does not match its hash"
                )
            expected_prev = event.hash
        return Verification(checked=checked, first_bad=None, reason=None)
