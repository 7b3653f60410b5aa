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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from accord.errors import ConcurrencyError
from store.driver import IDS_PER_STATEMENT, begin, chunks, cursor, fetch, fetch_in, marked
from store.events import GENESIS_HASH, NewEvent, StoredEvent, canonical_json, chain_hash, utcnow
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


_COLUMNS = "position, stream_id, stream_version, type, schema_version, payload, metadata, recorded_at, prev_hash, hash"
_N_COLUMNS = 10
# Rows in one multi-row INSERT (SQLite allows 32766 parameters a statement, PostgreSQL 65535). A single
# statement is atomic on its own, so a batch up to this size needs no savepoint.
_ROWS_PER_STATEMENT = 2000
_LOCK_SQL = "SELECT pg_advisory_xact_lock(?)"
# Key in ``Connection.info`` (which lives with the database connection): the (innermost) transaction in which
# the append lock was last taken. While that transaction is active the lock is still held, so any
# ``EventLog`` on the connection (``Pipeline.ingest`` locks once a batch, each article's log again) skips
# the round trip. A savepoint that ends (released, or rolled back, which on PostgreSQL drops a lock taken
# inside it) makes the next lock take it again.
_LOCK_HOLDER = "accord.append_lock_held_in"


# Each stream's version by its own look-up on the (stream_id, stream_version) index, the streams given as
# a VALUES list. Not "WHERE stream_id IN (...) GROUP BY stream_id": on a PostgreSQL log whose statistics
# lag behind (a log that grew since the last ANALYZE) the planner reads that as a scan of the whole log,
# which made every append cost time in proportion to the log's length.
_VERSIONS_SQL = (
    "SELECT streams.column1, (SELECT max(e.stream_version) FROM events e WHERE e.stream_id = streams.column1), "
    "NULL FROM"
)


def _values(count: int) -> str:
    return "(VALUES " + ", ".join("(?)" for _ in range(count)) + ") AS streams"


def _row_to_event(row: Sequence[Any]) -> StoredEvent:
    """A StoredEvent from a row of ``_COLUMNS`` (SQLite gives the time as ISO text, PostgreSQL as a datetime)."""
    recorded_at = row[7]
    if isinstance(recorded_at, str):
        recorded_at = datetime.fromisoformat(recorded_at)
    return StoredEvent(
        position=row[0],
        stream_id=row[1],
        stream_version=row[2],
        type=row[3],
        schema_version=row[4],
        payload=row[5],
        metadata=row[6],
        recorded_at=recorded_at.astimezone(UTC),
        prev_hash=row[8],
        hash=row[9],
    )


class EventLog:
    """The log, used inside a transaction the caller owns (``with engine.begin() as conn``)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def lock(self) -> None:
        """Take the append lock for the rest of this transaction (a no-op on SQLite: BEGIN IMMEDIATE)."""
        if self.conn.dialect.name == "postgresql" and not self._holds_lock():
            fetch(self.conn, _LOCK_SQL, [APPEND_LOCK_ID])
            self._note_lock()

    def _holds_lock(self) -> bool:
        held = self.conn.info.get(_LOCK_HOLDER)
        return held is not None and held.is_active

    def _note_lock(self) -> None:
        self.conn.info[_LOCK_HOLDER] = self.conn.get_nested_transaction() or self.conn.get_transaction()

    def _pipelined_lock_and(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """PostgreSQL: take the append lock and run ``sql`` in one round trip (psycopg's pipeline mode)."""
        begin(self.conn)
        driver = self.conn.connection.driver_connection
        with driver.pipeline(), driver.cursor() as lock, driver.cursor() as read:  # type: ignore[union-attr]
            lock.execute(marked(self.conn, _LOCK_SQL), (APPEND_LOCK_ID,))
            read.execute(marked(self.conn, sql), tuple(params))
            return list(read.fetchall())

    def head(self) -> tuple[int, str]:
        rows = fetch(self.conn, "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        return (0, GENESIS_HASH) if not rows else (rows[0][0], rows[0][1])

    def stream_version(self, stream_id: str) -> int:
        return self.stream_versions([stream_id])[stream_id]

    def stream_versions(self, stream_ids: Iterable[str]) -> dict[str, int]:
        """The current version (0: no events yet) of each stream, in one query."""
        ids = sorted(set(stream_ids))
        versions = dict.fromkeys(ids, 0)
        for chunk in chunks(ids):
            for stream_id, version, _ in fetch(self.conn, f"{_VERSIONS_SQL} {_values(len(chunk))}", chunk):
                if version is not None:
                    versions[stream_id] = int(version)
        return versions

    def _locked_tail(self, stream_ids: Iterable[str]) -> tuple[tuple[int, str], dict[str, int]]:
        """Take the append lock, then read the log's head and the current version of each stream.

        One round trip for the lock and up to ``IDS_PER_STATEMENT`` streams; the rest are looked up
        after. On PostgreSQL the lock and the read go out together in a pipeline: the server runs them in
        order, and under READ COMMITTED the read takes its snapshot after the lock is granted, so it sees
        every append committed before ours.
        """
        ids = sorted(set(stream_ids))
        first, rest = ids[:IDS_PER_STATEMENT], ids[IDS_PER_STATEMENT:]
        sql = (
            "SELECT * FROM (SELECT CAST(NULL AS VARCHAR(200)), position, hash FROM events "
            "ORDER BY position DESC LIMIT 1) head"
            + (f" UNION ALL {_VERSIONS_SQL} {_values(len(first))}" if first else "")
        )
        if self.conn.dialect.driver == "psycopg" and not self._holds_lock():
            rows = self._pipelined_lock_and(sql, first)
            self._note_lock()
        else:
            self.lock()  # a no-op on SQLite (BEGIN IMMEDIATE took it) and where this transaction holds it
            rows = fetch(self.conn, sql, first)
        head = (0, GENESIS_HASH)
        versions = dict.fromkeys(first, 0)
        for stream_id, number, digest in rows:
            if stream_id is None:
                head = (int(number), digest)
            elif number is not None:
                versions[stream_id] = int(number)
        versions.update(self.stream_versions(rest))
        return head, versions

    def append(
        self, new_events: Sequence[NewEvent], *, recorded_at: datetime | None = None
    ) -> list[StoredEvent]:
        """Append events atomically (with the caller's transaction) and return them as stored.

        ``expected_version`` on an event is the stream version the caller decided on; if the stream has
        moved, ``ConcurrencyError`` is raised and nothing of this batch is written.
        """
        if not new_events:
            return []
        # Appends hold the log's write lock, so the head and these versions stay current until we commit.
        (position, prev_hash), versions = self._locked_tail(new.stream_id for new in new_events)
        recorded_at = recorded_at or utcnow()
        if recorded_at.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is required")
        # Hash what is stored and read back: the UTC instant (an aware non-UTC time would otherwise be
        # hashed with its offset and fail verify() once read back as UTC).
        recorded_at = recorded_at.astimezone(UTC)
        # What AwareDateTime writes: ISO text on SQLite, the UTC datetime elsewhere.
        stored_time: Any = recorded_at
        if self.conn.dialect.name == "sqlite":
            stored_time = stored_time.isoformat()
        stored: list[StoredEvent] = []
        rows: list[Any] = []
        for new in new_events:
            current = versions[new.stream_id]
            if new.expected_version is not None and new.expected_version != current:
                raise ConcurrencyError(new.stream_id, new.expected_version)
            position += 1
            versions[new.stream_id] = current + 1
            type_name, schema_version = new.event.TYPE, new.event.SCHEMA
            payload = canonical_json(new.event.payload())
            metadata = canonical_json(new.metadata)
            digest = chain_hash(
                prev_hash=prev_hash,
                position=position,
                stream_id=new.stream_id,
                stream_version=current + 1,
                type_name=type_name,
                schema_version=schema_version,
                payload=payload,
                metadata=metadata,
                recorded_at=recorded_at,
            )
            stored.append(
                StoredEvent(
                    position=position,
                    stream_id=new.stream_id,
                    stream_version=current + 1,
                    type=type_name,
                    schema_version=schema_version,
                    payload=payload,
                    metadata=metadata,
                    recorded_at=recorded_at,
                    prev_hash=prev_hash,
                    hash=digest,
                )
            )
            rows.extend((position, new.stream_id, current + 1, type_name, schema_version, payload, metadata))
            rows.extend((stored_time, prev_hash, digest))
            prev_hash = digest
        try:
            self._insert(rows, len(stored))
        except IntegrityError as e:
            first = new_events[0]
            raise ConcurrencyError(first.stream_id, first.expected_version or 0) from e
        return stored

    def _insert(self, values: list[Any], count: int) -> None:
        """Insert ``count`` rows (their values flattened) so that either all or none are written."""
        row = "(" + ", ".join("?" for _ in range(_N_COLUMNS)) + ")"

        def statement(n: int) -> str:
            return marked(
                self.conn, f"INSERT INTO events ({_COLUMNS}) VALUES " + ", ".join(row for _ in range(n))
            )

        if count <= _ROWS_PER_STATEMENT:
            self.conn.exec_driver_sql(statement(count), tuple(values))
            return
        step = _ROWS_PER_STATEMENT * _N_COLUMNS
        with self.conn.begin_nested():  # several statements: a savepoint keeps the batch whole
            for start in range(0, len(values), step):
                chunk = tuple(values[start : start + step])
                self.conn.exec_driver_sql(statement(len(chunk) // _N_COLUMNS), chunk)

    def read(
        self, *, after: int = 0, limit: int | None = None, types: Sequence[str] | None = None
    ) -> list[StoredEvent]:
        """Events with position > ``after``, in order."""
        sql = f"SELECT {_COLUMNS} FROM events WHERE position > ?"
        params: list[Any] = [after]
        if types:
            sql += f" AND type IN ({', '.join('?' for _ in types)})"
            params.extend(types)
        sql += " ORDER BY position"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_row_to_event(row) for row in fetch(self.conn, sql, params)]

    def scan(self, *, after: int = 0, limit: int | None = None, page: int = 10_000) -> Iterator[RawEvent]:
        """(position, type, schema version, payload) of the events after ``after``, in order.

        For readers that fold payloads (projections): a raw DB-API cursor, pages of ``page`` events by
        position, no ``StoredEvent`` and no timestamp parsing. Stops after ``limit`` events if given.
        """
        sql = marked(
            self.conn,
            "SELECT position, type, schema_version, payload FROM events WHERE position > ? ORDER BY position LIMIT ?",
        )
        pages = cursor(self.conn)
        try:
            left = limit
            while left is None or left > 0:
                size = page if left is None else min(page, left)
                pages.execute(sql, (after, size))
                rows = cast(list[RawEvent], pages.fetchall())
                if not rows:
                    return
                yield from rows
                after = rows[-1][0]
                if left is not None:
                    left -= len(rows)
                if len(rows) < size:
                    return
        finally:
            pages.close()

    def iter_all(self, *, batch: int = 5000, after: int = 0) -> Iterator[StoredEvent]:
        while True:
            events = self.read(after=after, limit=batch)
            if not events:
                return
            yield from events
            after = events[-1].position

    def stream(self, stream_id: str) -> list[StoredEvent]:
        rows = fetch(
            self.conn,
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_version",
            [stream_id],
        )
        return [_row_to_event(row) for row in rows]

    def at(self, positions: Sequence[int]) -> dict[int, StoredEvent]:
        rows = fetch_in(self.conn, f"SELECT {_COLUMNS} FROM events WHERE position IN ({{}})", set(positions))
        return {row[0]: _row_to_event(row) for row in rows}

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
