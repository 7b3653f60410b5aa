"""The projector: folds new events into the report, blocking-index and meeting tables.

It writes its rows and its checkpoint in the caller's transaction, so a crash between the two cannot
happen and a re-run is harmless. Folding is done by ``store.fold`` (pure); this module only reads and
writes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from functools import lru_cache
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Index, Table, delete, inspect, select

from accord.errors import ProjectionsOutdatedError
from store import driver
from store.collector import cycle_collection_paused
from store.driver import fetch, fetch_in
from store.eventlog import EventLog, RawEvent
from store.events import (
    EVENT_TYPES,
    ArticleReceived,
    DomainEvent,
    MatchDecided,
    ReportExtracted,
    ReviewDecided,
    canonical_json,
    parse_json,
    to_domain,
)
from store.fanout import Fanout, default_workers, worker_pool
from store.fold import (
    FACT_COLUMNS,
    MEETING_COLUMNS,
    MEMBER_COLUMNS,
    SOURCE_COLUMNS,
    DerivedReport,
    MeetingRows,
    ReportState,
    Review,
    apply_article,
    apply_decision,
    apply_extraction,
    derive_report,
    derive_reports,
    fold_meeting,
    fold_meetings,
    meeting_rows,
)
from store.schema import (
    PROJECTION_TABLES,
    Checkpoint,
    FactSourceRow,
    FeedRow,
    MatchKeyRow,
    MeetingFactRow,
    MeetingReportRow,
    MeetingRow,
    ReportRow,
    ReviewReportRow,
    ReviewRow,
)

NAME = "meetings"
# The version of the fold that builds these tables (``store.fold``, this module, their columns). Bump it
# whenever the same log would project to other rows: a database's tables keep the version that built
# them, and a projector refuses to fold onto another version's rows until ``accord rebuild``.
# ``tests/test_projection_version.py`` fails when the rows change and this does not.
VERSION = "meetings-2"
BATCH = 2000
REPLAY_PAGE = 10_000
_MEETING_CHUNK = 128  # meetings per worker task
PARALLEL_FROM = 20_000  # events in the log from which a replay derives extractions in worker processes
_STATE_FIELDS = tuple(ReportState.__dataclass_fields__)
_NOTHING_DERIVED: Mapping[int, DerivedReport] = MappingProxyType({})
_state_values = attrgetter(*_STATE_FIELDS)
_FOLDED = (ArticleReceived, ReportExtracted, MatchDecided, ReviewDecided)
# The tables ``replay`` loads in bulk: every projection but the feeds (``store.feeds`` projects them)
# and the checkpoints.
_REPLAYED = tuple(t for t in PROJECTION_TABLES if t not in (FeedRow, Checkpoint))
# Column names are plain lower-case words in every dialect: they need no quoting.
_REPORT_COLUMNS = ", ".join((*_STATE_FIELDS, "meeting_id"))
_INSERT_CHUNK = 50_000  # rows per executemany
_COPY_FROM = 100  # rows from which PostgreSQL gets them by COPY
_SORT_IN_SQLITE_FROM = (
    100_000  # rows from which SQLite orders a bulk load itself (``_Writes._sorted_by_sqlite``)
)
_STAGED = "_replay_rows"  # its temporary table
_CHECKPOINTS = Checkpoint.__tablename__
_MOVE_CHECKPOINT = f"UPDATE {_CHECKPOINTS} SET position = ? WHERE name = ? AND position = ?"


class _Writes:
    """Statements whose results nobody reads, queued in order and run by ``flush``.

    On PostgreSQL they go in one round trip (psycopg's pipeline mode), not one each; a large insert goes
    by COPY after them (COPY cannot run in a pipeline). The projector queues every delete of a table
    before its inserts and no statement touches the rows another inserts, so that reordering is safe.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._statements: list[tuple[str, list[tuple[Any, ...]]]] = []  # (sql, rows for executemany)
        self._copies: list[tuple[str, list[tuple[Any, ...]]]] = []
        self._checkpoint: tuple[int, int] | None = None  # (from, to)

    def move_checkpoint(self, old: int, new: int) -> None:
        """Move the checkpoint from ``old`` to ``new`` with the other statements; ``flush`` raises if it
        is not at ``old`` (another catch-up moved it, or a caller's ``checkpoint`` was wrong)."""
        self._checkpoint = (old, new)

    def add(self, sql: str, *rows: tuple[Any, ...]) -> None:
        """Queue ``sql`` (``?`` marks), run once per row of parameters (once without, if none given)."""
        self._statements.append((driver.marked(self.conn, sql), list(rows) or [()]))

    def delete_in(self, table: str, column: str, ids: Iterable[str]) -> None:
        for chunk in driver.chunks(ids):
            self.add(f"DELETE FROM {table} WHERE {column} IN ({driver.in_list(chunk)})", tuple(chunk))

    def insert(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Queue an INSERT of ``rows`` (tuples in ``columns`` order; sorted in place, see ``_sorted``)."""
        if not rows:
            return
        name, listed = _table_and_columns(self.conn, table, columns)
        if self.conn.dialect.name == "sqlite" and len(rows) >= _SORT_IN_SQLITE_FROM:
            self._sorted_by_sqlite(table, name, listed, rows)
            return
        _sort_by_key(table, columns, rows)
        if self.conn.dialect.driver == "psycopg" and len(rows) >= _COPY_FROM:
            self._copies.append((f"COPY {name} ({listed}) FROM STDIN", rows))
        else:
            marks = ", ".join("?" for _ in columns)
            self._statements.append(
                (driver.marked(self.conn, f"INSERT INTO {name} ({listed}) VALUES ({marks})"), rows)
            )

    def _sorted_by_sqlite(self, table: Any, name: str, listed: str, rows: list[tuple[Any, ...]]) -> None:
        """Queue ``rows`` unsorted into a temporary table, then their move in primary-key order.

        SQLite's sorter (C, merging runs through a temporary file) orders millions of rows several times
        faster than ``list.sort`` on tuples of strings, whose cost grows faster than the row count once
        the rows no longer fit the CPU caches: at 6.5M key rows (a 1M-event log) the sort alone took 11 s.
        """
        quote = self.conn.dialect.identifier_preparer.quote
        order = ", ".join(quote(c.name) for c in table.__table__.primary_key.columns)
        self.add(f"CREATE TEMP TABLE {_STAGED} ({listed})")
        marks = ", ".join("?" for _ in rows[0])
        self._statements.append((f"INSERT INTO {_STAGED} VALUES ({marks})", rows))
        self.add(f"INSERT INTO {name} ({listed}) SELECT {listed} FROM {_STAGED} ORDER BY {order}")
        self.add(f"DROP TABLE {_STAGED}")

    def flush(self) -> None:
        statements, copies, checkpoint = self._statements, self._copies, self._checkpoint
        self._statements, self._copies, self._checkpoint = [], [], None
        if not statements and not copies and checkpoint is None:
            return
        cursor = driver.cursor(self.conn)
        # The checkpoint's move has a cursor of its own: its row count says whether it moved.
        moved = None if checkpoint is None else driver.cursor(self.conn)

        def run() -> None:
            _run(cursor, statements)
            if moved is not None and checkpoint is not None:
                moved.execute(
                    driver.marked(self.conn, _MOVE_CHECKPOINT), (checkpoint[1], NAME, checkpoint[0])
                )

        try:
            if self.conn.dialect.driver == "psycopg":
                with self.conn.connection.driver_connection.pipeline():  # type: ignore[union-attr]
                    run()
                for sql, rows in copies:
                    with cursor.copy(sql) as copy:
                        for row in rows:
                            copy.write_row(row)
            else:
                run()
            if moved is not None and checkpoint is not None and moved.rowcount != 1:
                old, new = checkpoint
                if old != 0:
                    raise RuntimeError(f"the projections' checkpoint is not at {old}: not moved to {new}")
                # The first catch-up of a database: no row yet (one at another position fails the insert).
                insert = f"INSERT INTO {_CHECKPOINTS} (name, position, version) VALUES (?, ?, ?)"
                cursor.execute(driver.marked(self.conn, insert), (NAME, new, VERSION))
        finally:
            cursor.close()
            if moved is not None:
                moved.close()


def _run(cursor: Any, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    for sql, rows in statements:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            for start in range(0, len(rows), _INSERT_CHUNK):
                cursor.executemany(sql, rows[start : start + _INSERT_CHUNK])


def _sort_by_key(table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Sort ``rows`` in primary-key order: each b-tree then grows at its end rather than all over.

    Rows are unique by key, so where the key leads the row, the rows themselves compare by it (no key
    tuples to build).
    """
    primary = [columns.index(c.name) for c in table.__table__.primary_key.columns]
    if primary == list(range(len(primary))):
        rows.sort()
    else:
        rows.sort(key=itemgetter(*primary))


def _table_and_columns(conn: Connection, table: Any, columns: Sequence[str]) -> tuple[str, str]:
    """The quoted table name and column list; the live path inserts into the same few tables for every
    article, so they are quoted once."""
    return _quoted(conn.dialect.identifier_preparer, table.__tablename__, tuple(columns))


@lru_cache(maxsize=64)
def _quoted(preparer: Any, table: str, columns: tuple[str, ...]) -> tuple[str, str]:
    return preparer.quote(table), ", ".join(preparer.quote(c) for c in columns)


class Projector:
    """Catches the projections up with the log, inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.log = EventLog(conn)

    # --- checkpoint ---------------------------------------------------------------------------------

    def checkpoint(self) -> int:
        """Where the projections are in the log; 0 before anything is projected.

        Raises ProjectionsOutdatedError if another version of the fold wrote them (``VERSION``).
        """
        rows = fetch(self.conn, f"SELECT position, version FROM {_CHECKPOINTS} WHERE name = ?", (NAME,))
        if not rows:
            return 0
        position, version = rows[0]
        if version != VERSION:
            raise ProjectionsOutdatedError(NAME, version, VERSION)
        return int(position)

    def catch_up(
        self,
        *,
        batch: int = BATCH,
        checkpoint: int | None = None,
        derived: Mapping[int, DerivedReport] | None = None,
    ) -> int:
        """Fold every event after the checkpoint. Returns how many events were folded.

        The checkpoint moves only from where the catch-up found it: a concurrent catch-up that moved it
        first makes this one raise (RuntimeError), so no event is folded twice.

        A caller that already holds some of what the fold needs may pass it, to spare deriving or reading
        it again (the rows are the same either way): ``checkpoint``, where the projections are (it is not
        read, and is checked as it moves); ``derived``, the ``derive_report`` of the ReportExtracted
        event at each position.
        """
        done = 0
        position = self.checkpoint() if checkpoint is None else checkpoint
        while events := list(self.log.scan(after=position, limit=batch, page=batch)):
            writes = self._apply(events, _NOTHING_DERIVED if derived is None else derived)
            writes.move_checkpoint(position, events[-1][0])
            position = events[-1][0]
            writes.flush()
            done += len(events)
            if len(events) < batch:
                break  # the log's end: no need to ask again
        return done

    def reset(self) -> None:
        """Empty every projection table (the log is untouched)."""
        for table in PROJECTION_TABLES:
            self.conn.execute(delete(table))

    # --- reports ------------------------------------------------------------------------------------

    def load_states(self, ids: Iterable[str]) -> dict[str, ReportState]:
        return {a: state for a, (state, _) in self._report_rows(ids).items()}

    def _report_rows(self, ids: Iterable[str]) -> dict[str, tuple[ReportState, str | None]]:
        """The state and meeting id of each report of ``ids`` that exists."""
        found: dict[str, tuple[ReportState, str | None]] = {}
        for row in fetch_in(
            self.conn, f"SELECT {_REPORT_COLUMNS} FROM reports WHERE article_id IN ({{}})", ids
        ):
            state = ReportState(**dict(zip(_STATE_FIELDS, row, strict=False)))
            found[state.article_id] = (state, row[-1])
        return found

    def _apply(
        self,
        events: Sequence[RawEvent],
        derived: Mapping[int, DerivedReport],
    ) -> _Writes:
        """Fold ``events``; the rows to write, queued (every read is done by then).

        The regrouping reads the batch's reports from the states folded here, not from the table, so
        the reports' rows are written once, with their meeting ids.
        """
        states: dict[str, ReportState] = {}
        keys: dict[str, frozenset[str]] = {}
        texts: dict[int, ArticleReceived] = {}
        reviews: list[Review] = []
        touched: set[str] = set()
        decoded = [
            (position, to_domain(type_name, schema_version, parse_json(payload)))
            for position, type_name, schema_version, payload in events
            if issubclass(EVENT_TYPES[type_name], _FOLDED)
        ]
        # Every report the batch folds, loaded at once; one not found is new (or never received).
        rows = self._report_rows(
            {
                e.article_id
                for _, e in decoded
                if isinstance(e, (ArticleReceived, ReportExtracted, MatchDecided))
            }
        )
        states.update((a, state) for a, (state, _) in rows.items())
        for position, event in decoded:
            self._fold(position, event, states, keys, texts, reviews, touched, derived)
        writes = _Writes(self.conn)
        _queue_reviews(writes, reviews)
        # Each report keeps the meeting it was loaded with, unless the regrouping places it.
        folded = {a: (s, rows[a][1] if a in rows else None) for a, s in states.items()}
        placed = self._regroup(touched, folded, reviews, writes)
        writes.delete_in("reports", "article_id", states.keys() & rows.keys())
        writes.insert(
            ReportRow,
            (*_STATE_FIELDS, "meeting_id"),
            [(*_state_values(s), placed.get(a, m)) for a, (s, m) in folded.items()],
        )
        # Only a report stored before has keys to replace.
        writes.delete_in("match_keys", "article_id", keys.keys() & rows.keys())
        writes.insert(MatchKeyRow, ("key", "article_id"), [(k, a) for a, ks in keys.items() for k in ks])
        return writes

    def _fold(
        self,
        position: int,
        event: DomainEvent,
        states: dict[str, ReportState],
        keys: dict[str, frozenset[str]],
        texts: dict[int, ArticleReceived],
        reviews: list[Review],
        touched: set[str],
        derived: Mapping[int, DerivedReport] = _NOTHING_DERIVED,
    ) -> None:
        """Fold one event into the in-memory report states (``states`` holds every stored one it needs).

        ``derived`` may hold an extraction's derivation by the extraction's position (else it is derived).
        """
        state = states.get

        if isinstance(event, ArticleReceived):  # also ArticleRevised
            states[event.article_id] = apply_article(state(event.article_id), position, event)
            texts[position] = event
        elif isinstance(event, ReportExtracted):
            article = texts.pop(event.article_position, None) or self._article_event(event.article_position)
            current = state(event.article_id)
            if current is None:
                raise LookupError(f"event {position} extracts article {event.article_id}, never received")
            done = derived.get(position) or derive_report(
                event.article_id, event.extraction, article.text, article.title
            )
            states[event.article_id] = apply_extraction(current, position, event.extractor_version, done)
            keys[event.article_id] = done.keys
        elif isinstance(event, MatchDecided):
            current = state(event.article_id)
            if current is None:
                raise LookupError(f"event {position} places article {event.article_id}, never received")
            states[event.article_id] = apply_decision(current, position, event)
        elif isinstance(event, ReviewDecided):
            reviews.append(Review.from_event(position, event))
            touched.update(event.article_ids)
            touched.update(event.others)
            return
        else:
            return
        # A report joins a meeting when the matcher first places it; until then it is in none.
        if states[event.article_id].decision_position is not None:
            touched.add(event.article_id)

    def replay(self, *, batch: int = REPLAY_PAGE, workers: int | None = None) -> int:
        """Fill empty projections from the whole log in one pass: fold in memory, then write in bulk.

        The result equals what ``catch_up`` builds event by event (both use the same pure folds), which
        is what ``rebuild --check`` verifies. Only a report's latest match decision is folded: a decision
        sets the decision fields alone, so earlier ones are overwritten whatever else comes between.
        Extractions are derived (``derive_report``) and meetings folded in ``workers`` processes, beside
        the scan and the writes, results taken in order: by default one per spare core for a log of
        ``PARALLEL_FROM`` events or more, none for a shorter one (starting them would cost more than they
        save). Returns how many events were read.
        """
        if workers is None:
            workers = default_workers() if self.log.head()[0] >= PARALLEL_FROM else 0
        with worker_pool(workers) as pool, cycle_collection_paused():
            return self._replay(pool, batch)

    def _replay(self, pool: Executor | None, batch: int) -> int:
        states: dict[str, ReportState] = {}
        keys: dict[str, frozenset[str]] = {}
        texts: dict[int, ArticleReceived] = {}
        reviews: list[Review] = []
        decisions: dict[str, tuple[int, MatchDecided]] = {}
        # An extraction's fields are apart from the article's and the decision's, so extractions can be
        # applied after the scan, in log order, once their derivations are back.
        extractions: list[tuple[int, str, str]] = []  # position, article id, extractor version
        folded = {name for name, cls in EVENT_TYPES.items() if issubclass(cls, _FOLDED)}
        position = count = 0
        # With a pool, extractions go to the workers as raw payloads; without one they are derived below
        # from the event already decoded (the Fanout then stays empty: no second decoding).
        derivations = Fanout(derive_reports, pool)
        derived: list[DerivedReport] = []
        for position, type_name, schema_version, payload in self.log.scan(page=batch):
            count += 1
            if type_name not in folded:
                if type_name not in EVENT_TYPES:
                    raise LookupError(f"event {position} has the unknown type {type_name!r}")
                continue
            event = to_domain(type_name, schema_version, parse_json(payload))
            if isinstance(event, MatchDecided):
                if event.article_id not in states:
                    raise LookupError(f"event {position} places article {event.article_id}, never received")
                decisions[event.article_id] = (position, event)
            elif isinstance(event, ReportExtracted):
                if event.article_id not in states:
                    raise LookupError(f"event {position} extracts article {event.article_id}, never received")
                at = event.article_position
                article = texts.pop(at, None) or self._article_event(at)
                extractions.append((position, event.article_id, event.extractor_version))
                if pool is None:
                    derived.append(
                        derive_report(event.article_id, event.extraction, article.text, article.title)
                    )
                else:
                    derivations.add((payload, schema_version, article.text, article.title))
            else:
                self._fold(position, event, states, keys, texts, reviews, set())
        derived += derivations.results()
        for (extracted_at, article_id, version), done in zip(extractions, derived, strict=True):
            states[article_id] = apply_extraction(states[article_id], extracted_at, version, done)
            keys[article_id] = done.keys
        del extractions, derived
        for article_id, (decided_at, decision) in decisions.items():
            states[article_id] = apply_decision(states[article_id], decided_at, decision)
        del texts, decisions
        groups: dict[str, list[ReportState]] = {}
        for report in states.values():
            if report.decision_position is not None:
                groups.setdefault(report.group_key(), []).append(report)
        by_article = reviews_by_report(reviews)
        meetings = Fanout(fold_meetings, pool, chunk=_MEETING_CHUNK, bounded=False)
        with self._indexes_built_after():
            for _, members in sorted(groups.items()):
                touching = {r.position: r for m in members for r in by_article.get(m.article_id, ())}
                meetings.add((members, sorted(touching.values(), key=lambda r: r.position)))
            del groups
            # The keys go in while the workers fold the meetings.
            self._insert_rows(
                MatchKeyRow, ("key", "article_id"), [(k, a) for a, ks in keys.items() for k in ks]
            )
            del keys
            folded_meetings = meetings.results()
            member = itemgetter(MEMBER_COLUMNS.index("article_id"), MEMBER_COLUMNS.index("meeting_id"))
            meeting_of = dict(member(r) for m in folded_meetings for r in m.reports)
            self._insert_rows(
                ReportRow,
                (*_STATE_FIELDS, "meeting_id"),
                [(*_state_values(s), meeting_of.get(a)) for a, s in states.items()],
            )
            del states, meeting_of
            writes = _Writes(self.conn)
            _queue_reviews(writes, reviews)
            writes.flush()
            self._insert_meetings(folded_meetings)
        if count:
            writes = _Writes(self.conn)
            writes.move_checkpoint(0, position)  # into empty projections
            writes.flush()
        return count

    @contextmanager
    def _indexes_built_after(self) -> Iterator[None]:
        """Drop the projections' secondary indexes for a bulk load into empty tables, then build them.

        Building an index from the loaded rows (one sort) is several times cheaper than growing it row by
        row in random order. Both happen in the caller's transaction: a rollback restores the index.
        Only indexes that exist are dropped, and exactly those are built again (from the schema's
        definitions, which the migrations create).
        """
        tables: list[Table] = [t.__table__ for t in _REPLAYED]  # type: ignore[misc]
        found = inspect(self.conn)
        dropped: list[Index] = []
        for table in tables:
            present = {i["name"] for i in found.get_indexes(table.name)}
            dropped += sorted((i for i in table.indexes if i.name in present), key=lambda i: str(i.name))
        for index in dropped:
            index.drop(self.conn)
        yield
        for index in dropped:
            index.create(self.conn)

    def _insert_meetings(self, meetings: Sequence[MeetingRows], writes: _Writes | None = None) -> None:
        """Insert the rows of ``meetings``, one statement a table (queued on ``writes`` if given)."""
        queue = writes or _Writes(self.conn)
        queue.insert(MeetingRow, MEETING_COLUMNS, [m.meeting for m in meetings])
        queue.insert(MeetingReportRow, MEMBER_COLUMNS, [r for m in meetings for r in m.reports])
        queue.insert(MeetingFactRow, FACT_COLUMNS, [f for m in meetings for f in m.facts])
        queue.insert(FactSourceRow, SOURCE_COLUMNS, [s for m in meetings for s in m.sources])
        if writes is None:
            queue.flush()

    def _insert_rows(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """INSERT ``rows`` now (tuples in ``columns`` order; sorted in place): PostgreSQL gets many by COPY."""
        writes = _Writes(self.conn)
        writes.insert(table, columns, rows)
        writes.flush()

    def _article_event(self, position: int) -> ArticleReceived:
        event = self.log.at([position])[position].domain()
        if not isinstance(event, ArticleReceived):
            raise TypeError(f"event {position} is {type(event).__name__}, not an article")
        return event

    def reviews_naming(self, ids: Iterable[str]) -> list[Review]:
        """The stored reviews that name any of ``ids`` (in ``article_ids`` or ``others``), in log order."""
        found = {
            review.position: review
            for review in map(_review_from_row, fetch_in(self.conn, _REVIEWS_NAMING, ids))
        }
        return [found[position] for position in sorted(found)]

    # --- meetings -----------------------------------------------------------------------------------

    def _regroup(
        self,
        touched: set[str],
        folded: Mapping[str, tuple[ReportState, str | None]],
        new_reviews: Sequence[Review],
        writes: _Writes,
    ) -> dict[str, str]:
        """Recompute every meeting a touched report was in or is now in; queue its rows on ``writes``.

        The set grows to a closure: the members of the old meetings of touched reports, and the
        members named by the new groups, are recomputed too, so no meeting is left half-updated.
        ``folded`` holds the batch's reports (state, stored meeting id), which are read from there, not
        from the table; the others' new meeting ids are queued as updates. Returns the meeting id of
        each report of ``folded`` that is placed in one.
        """
        if not touched:
            return {}
        states: dict[str, ReportState] = {}
        stored_meeting: dict[str, str | None] = {}
        old_meetings: set[str] = set()
        frontier = set(touched)
        tried: set[str] = set()  # ids looked up, found or not (a group may name a report not stored)
        while frontier:
            tried |= frontier
            rows = {a: folded[a] for a in frontier if a in folded}
            rows.update(self._report_rows(frontier - rows.keys()))
            loaded = {a: state for a, (state, _) in rows.items()}
            states.update(loaded)
            stored_meeting.update((a, m) for a, (_, m) in rows.items())
            found: set[str] = set()
            meeting_ids = {m for _, m in rows.values() if m} - old_meetings
            old_meetings |= meeting_ids
            sql = "SELECT article_id FROM meeting_reports WHERE meeting_id IN ({})"
            found.update(a for (a,) in fetch_in(self.conn, sql, meeting_ids))
            for s in loaded.values():
                found.update(json.loads(s.group_key()))
            frontier = found - tried

        for table in (MeetingRow, MeetingReportRow, MeetingFactRow, FactSourceRow):
            writes.delete_in(table.__tablename__, "meeting_id", old_meetings)

        groups: dict[str, list[ReportState]] = {}
        for s in states.values():
            if s.decision_position is not None:
                groups.setdefault(s.group_key(), []).append(s)
        ids = set(states)
        reviews = sorted(
            (*self.reviews_naming(ids), *(r for r in new_reviews if ids & r.names)),
            key=attrgetter("position"),
        )
        meetings = [meeting_rows(fold_meeting(members, reviews)) for _, members in sorted(groups.items())]
        self._insert_meetings(meetings, writes)
        member = itemgetter(MEMBER_COLUMNS.index("article_id"), MEMBER_COLUMNS.index("meeting_id"))
        placed = dict(member(r) for m in meetings for r in m.reports)
        moved = [(m, a) for a, m in placed.items() if a not in folded and m != stored_meeting[a]]
        if moved:
            writes.add("UPDATE reports SET meeting_id = ? WHERE article_id = ?", *moved)
        return {a: m for a, m in placed.items() if a in folded}


def reviews_by_report(reviews: Iterable[Review]) -> dict[str, list[Review]]:
    """Each report named by ``reviews`` (in ``article_ids`` or ``others``), with the reviews naming it."""
    by_report: dict[str, list[Review]] = {}
    for review in reviews:
        for article_id in review.names:
            by_report.setdefault(article_id, []).append(review)
    return by_report


REVIEW_COLUMNS = ("position", "action", "article_ids", "others", "field_name", "value", "actor", "reason")
REVIEW_REPORT_COLUMNS = ("article_id", "position")
_REVIEWS_NAMING = (
    f"SELECT {', '.join(REVIEW_COLUMNS)} FROM review_decisions WHERE position IN "
    "(SELECT position FROM review_reports WHERE article_id IN ({}))"
)


def review_report_rows(reviews: Iterable[Review]) -> list[tuple[str, int]]:
    """``review_reports`` rows of ``reviews`` (``REVIEW_REPORT_COLUMNS``): each report a review names,
    with the review's position."""
    return [(a, r.position) for r in reviews for a in sorted(r.names)]


def _queue_reviews(writes: _Writes, reviews: Sequence[Review]) -> None:
    """Queue the rows of ``reviews``: each review, and each report it names."""
    writes.insert(ReviewRow, REVIEW_COLUMNS, [review_row(r) for r in reviews])
    writes.insert(ReviewReportRow, REVIEW_REPORT_COLUMNS, review_report_rows(reviews))


def review_row(review: Review) -> tuple[Any, ...]:
    """A review as a ``review_decisions`` row, in ``REVIEW_COLUMNS`` order."""
    return (
        review.position,
        review.action,
        canonical_json(list(review.article_ids)),
        canonical_json(list(review.others)),
        review.field_name,
        review.value,
        review.actor,
        review.reason,
    )


def _review_from_row(row: Sequence[Any]) -> Review:
    position, action, article_ids, others, field_name, value, actor, reason = row
    return Review(
        position=position,
        action=action,
        article_ids=tuple(json.loads(article_ids)),
        others=tuple(json.loads(others)),
        field_name=field_name,
        value=value,
        actor=actor,
        reason=reason,
    )


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, in a canonical order: what ``rebuild --check`` compares."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table in PROJECTION_TABLES:
        t: Table = table.__table__  # type: ignore[assignment]
        rows = conn.execute(select(t).order_by(*t.primary_key.columns)).all()
        result[t.name] = [tuple(r) for r in rows]
    return result
