"""The projector: folds new events into the report, blocking-index and meeting tables.

It writes its rows and its checkpoint in the caller's transaction, so a crash between the two cannot
happen and a re-run is harmless. Folding is done by ``store.fold`` (pure); this module only reads and
writes rows.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Connection, Index, Table, delete, insert, inspect, select

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
    MeetingView,
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
    MatchKeyRow,
    MeetingFactRow,
    MeetingReportRow,
    MeetingRow,
    ReportRow,
    ReviewRow,
)

NAME = "meetings"
BATCH = 2000
REPLAY_PAGE = 10_000
_MEETING_CHUNK = 128  # meetings per worker task
PARALLEL_FROM = 20_000  # events in the log from which a replay derives extractions in worker processes
_STATE_FIELDS = tuple(ReportState.__dataclass_fields__)
_state_values = attrgetter(*_STATE_FIELDS)
_FOLDED = (ArticleReceived, ReportExtracted, MatchDecided, ReviewDecided)
# The tables ``replay`` loads in bulk.
_REPLAYED = (ReportRow, MatchKeyRow, ReviewRow, MeetingRow, MeetingReportRow, MeetingFactRow, FactSourceRow)
_CHUNK = 500  # ids per IN (...) clause
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # the parameter mark of each DB-API style
# Column names are plain lower-case words in every dialect: they need no quoting.
_REPORT_COLUMNS = ", ".join((*_STATE_FIELDS, "meeting_id"))
_INSERT_CHUNK = 50_000  # rows per executemany
_COPY_FROM = 100  # rows from which PostgreSQL gets them by COPY


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector (reference counting still frees memory).

    A replay builds millions of long-lived objects and no reference cycles: the collector would only
    re-scan the growing heap again and again (a tenth of a replay's time at 100k events).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chunks(ids: Iterable[str], size: int = _CHUNK) -> Iterable[list[str]]:
    items = sorted(ids)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Projector:
    """Catches the projections up with the log, inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.log = EventLog(conn)

    # --- checkpoint ---------------------------------------------------------------------------------

    def checkpoint(self) -> int:
        value = self.conn.execute(select(Checkpoint.position).where(Checkpoint.name == NAME)).scalar()
        return int(value or 0)

    def _save_checkpoint(self, position: int) -> None:
        self.conn.execute(delete(Checkpoint).where(Checkpoint.name == NAME))
        self.conn.execute(insert(Checkpoint).values(name=NAME, position=position))

    def catch_up(self, *, batch: int = BATCH) -> int:
        """Fold every event after the checkpoint. Returns how many events were folded."""
        done = 0
        position = self.checkpoint()
        while events := list(self.log.scan(after=position, limit=batch, page=batch)):
            self._apply(events)
            position = events[-1][0]
            done += len(events)
        if done:
            self._save_checkpoint(position)
        return done

    def reset(self) -> None:
        """Empty every projection table (the log is untouched)."""
        for table in PROJECTION_TABLES:
            self.conn.execute(delete(table))

    # --- reports ------------------------------------------------------------------------------------

    def _in_chunks(self, sql: str, ids: Iterable[str]) -> list[Any]:
        """Run ``sql`` once per 500 of ``ids``, its ``IN ({})`` given a parameter each; the rows it returns.

        Through the driver: on the live path, which runs per article, SQLAlchemy's per-statement work (an
        expanding IN built and compiled, row objects) costs more than the query itself.
        """
        mark = _MARKS[self.conn.dialect.paramstyle]
        rows: list[Any] = []
        for chunk in _chunks(ids):
            result = self.conn.exec_driver_sql(sql.format(", ".join(mark for _ in chunk)), tuple(chunk))
            if result.returns_rows:
                rows += result.fetchall()
        return rows

    def load_states(self, ids: Iterable[str]) -> dict[str, ReportState]:
        return {a: state for a, (state, _) in self._report_rows(ids).items()}

    def _report_rows(self, ids: Iterable[str]) -> dict[str, tuple[ReportState, str | None]]:
        """The state and meeting id of each report of ``ids`` that exists."""
        found: dict[str, tuple[ReportState, str | None]] = {}
        for row in self._in_chunks(f"SELECT {_REPORT_COLUMNS} FROM reports WHERE article_id IN ({{}})", ids):
            state = ReportState(**dict(zip(_STATE_FIELDS, row, strict=False)))
            found[state.article_id] = (state, row[-1])
        return found

    def _apply(self, events: Sequence[RawEvent]) -> None:
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
            self._fold(position, event, states, keys, texts, reviews, touched)
        for review in reviews:
            self._insert_review(review)
        # meeting_id is set by _regroup; until then each report keeps the one it was loaded with.
        self._write_states(states, {a: meeting_id for a, (_, meeting_id) in rows.items()})
        self._write_keys(keys)
        self._regroup(touched)

    def _fold(
        self,
        position: int,
        event: DomainEvent,
        states: dict[str, ReportState],
        keys: dict[str, frozenset[str]],
        texts: dict[int, ArticleReceived],
        reviews: list[Review],
        touched: set[str],
    ) -> None:
        """Fold one event into the in-memory report states (``states`` holds every stored one it needs)."""
        state = states.get

        if isinstance(event, ArticleReceived):  # also ArticleRevised
            states[event.article_id] = apply_article(state(event.article_id), position, event)
            texts[position] = event
        elif isinstance(event, ReportExtracted):
            article = texts.pop(event.article_position, None) or self._article_event(event.article_position)
            current = state(event.article_id)
            if current is None:
                raise LookupError(f"event {position} extracts article {event.article_id}, never received")
            derived = derive_report(event.article_id, event.extraction, article.text, article.title)
            states[event.article_id] = apply_extraction(current, position, event.extractor_version, derived)
            keys[event.article_id] = derived.keys
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
        with worker_pool(workers) as pool, _no_cycle_collection():
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
        by_article: dict[str, list[Review]] = {}
        for review in reviews:
            for article_id in {*review.article_ids, *review.others}:
                by_article.setdefault(article_id, []).append(review)
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
            for review in reviews:
                self._insert_review(review)
            self._insert_meetings(folded_meetings)
        if count:
            self._save_checkpoint(position)
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

    def _insert_views(self, views: Sequence[MeetingView]) -> None:
        """Write the meeting, member, fact and source rows of ``views`` (bulk, one statement a table)."""
        self._insert_meetings([meeting_rows(v) for v in views])

    def _insert_meetings(self, meetings: Sequence[MeetingRows]) -> None:
        self._insert_rows(MeetingRow, MEETING_COLUMNS, [m.meeting for m in meetings])
        self._insert_rows(MeetingReportRow, MEMBER_COLUMNS, [r for m in meetings for r in m.reports])
        self._insert_rows(MeetingFactRow, FACT_COLUMNS, [f for m in meetings for f in m.facts])
        self._insert_rows(FactSourceRow, SOURCE_COLUMNS, [s for m in meetings for s in m.sources])

    def _insert_rows(self, table: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """INSERT ``rows`` (tuples in ``columns`` order; sorted in place) through the driver's executemany.

        Projection tables hold plain values (no type conversion is needed), so the statement goes to the
        driver as text: SQLAlchemy would otherwise compile and process parameters row by row.
        """
        if not rows:
            return
        # In primary-key order: each b-tree grows at its end rather than all over. Rows are unique by key,
        # so where the key leads the row, the rows themselves compare by it (no key tuples to build).
        primary = [columns.index(c.name) for c in table.__table__.primary_key.columns]
        if primary == list(range(len(primary))):
            rows.sort()
        else:
            rows.sort(key=itemgetter(*primary))
        dialect = self.conn.dialect
        quote = dialect.identifier_preparer.quote
        name = quote(table.__tablename__)
        if dialect.driver == "psycopg" and len(rows) >= _COPY_FROM:
            # PostgreSQL loads rows through COPY several times faster than through INSERTs.
            cursor = self.conn.connection.cursor()
            with cursor.copy(f"COPY {name} ({', '.join(quote(c) for c in columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        mark = _MARKS.get(dialect.paramstyle)
        if mark is None:
            self.conn.execute(insert(table), [dict(zip(columns, r, strict=True)) for r in rows])
            return
        sql = (
            f"INSERT INTO {name} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(mark for _ in columns)})"
        )
        for start in range(0, len(rows), _INSERT_CHUNK):
            self.conn.exec_driver_sql(sql, rows[start : start + _INSERT_CHUNK])

    def _article_event(self, position: int) -> ArticleReceived:
        event = self.log.at([position])[position].domain()
        if not isinstance(event, ArticleReceived):
            raise TypeError(f"event {position} is {type(event).__name__}, not an article")
        return event

    def _write_states(self, states: dict[str, ReportState], meetings: dict[str, str | None]) -> None:
        """Replace the rows of ``states``, each with its meeting id from ``meetings`` (none if absent)."""
        if not states:
            return
        self._in_chunks("DELETE FROM reports WHERE article_id IN ({})", states)
        self._insert_rows(
            ReportRow,
            (*_STATE_FIELDS, "meeting_id"),
            [(*_state_values(s), meetings.get(a)) for a, s in states.items()],
        )

    def _write_keys(self, keys: dict[str, frozenset[str]]) -> None:
        if not keys:
            return
        self._in_chunks("DELETE FROM match_keys WHERE article_id IN ({})", keys)
        self._insert_rows(MatchKeyRow, ("key", "article_id"), [(k, a) for a, ks in keys.items() for k in ks])

    def _insert_review(self, review: Review) -> None:
        self.conn.execute(
            insert(ReviewRow).values(
                position=review.position,
                action=review.action,
                article_ids=canonical_json(list(review.article_ids)),
                others=canonical_json(list(review.others)),
                field_name=review.field_name,
                value=review.value,
                actor=review.actor,
                reason=review.reason,
            )
        )

    def reviews(self) -> list[Review]:
        rows = self.conn.execute(select(ReviewRow).order_by(ReviewRow.position))
        return [
            Review(
                position=r.position,
                action=r.action,
                article_ids=tuple(json.loads(r.article_ids)),
                others=tuple(json.loads(r.others)),
                field_name=r.field_name,
                value=r.value,
                actor=r.actor,
                reason=r.reason,
            )
            for r in rows
        ]

    # --- meetings -----------------------------------------------------------------------------------

    def _regroup(self, touched: set[str]) -> None:
        """Recompute every meeting a touched report was in or is now in.

        The set grows to a closure: the members of the old meetings of touched reports, and the
        members named by the new groups, are recomputed too, so no meeting is left half-updated.
        """
        if not touched:
            return
        states: dict[str, ReportState] = {}
        old_meetings: set[str] = set()
        frontier = set(touched)
        tried: set[str] = set()  # ids looked up, found or not (a group may name a report not stored)
        while frontier:
            tried |= frontier
            rows = self._report_rows(frontier)
            loaded = {a: state for a, (state, _) in rows.items()}
            states.update(loaded)
            found: set[str] = set()
            meeting_ids = {m for _, m in rows.values() if m} - old_meetings
            old_meetings |= meeting_ids
            sql = "SELECT article_id FROM meeting_reports WHERE meeting_id IN ({})"
            found.update(a for (a,) in self._in_chunks(sql, meeting_ids))
            for s in loaded.values():
                found.update(json.loads(s.group_key()))
            frontier = found - tried

        for table in (MeetingRow, MeetingReportRow, MeetingFactRow, FactSourceRow):
            self._in_chunks(f"DELETE FROM {table.__tablename__} WHERE meeting_id IN ({{}})", old_meetings)

        groups: dict[str, list[ReportState]] = {}
        for s in states.values():
            if s.decision_position is not None:
                groups.setdefault(s.group_key(), []).append(s)
        ids = set(states)
        reviews = [r for r in self.reviews() if ids & {*r.article_ids, *r.others}]
        views = [fold_meeting(members, reviews) for _, members in sorted(groups.items())]
        self._insert_views(views)
        placed = [(r["meeting_id"], r["article_id"]) for view in views for r in view.reports]
        if placed:
            mark = _MARKS[self.conn.dialect.paramstyle]
            sql = f"UPDATE reports SET meeting_id = {mark} WHERE article_id = {mark}"
            self.conn.exec_driver_sql(sql, placed)


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, in a canonical order: what ``rebuild --check`` compares."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    for table in PROJECTION_TABLES:
        t: Table = table.__table__  # type: ignore[assignment]
        rows = conn.execute(select(t).order_by(*t.primary_key.columns)).all()
        result[t.name] = [tuple(r) for r in rows]
    return result
