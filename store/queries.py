"""Read side for the CLI, the exports and the review page: plain dicts out of the projection tables."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, or_, select, tuple_
from sqlalchemy.orm import QueryableAttribute

from accord.errors import AccordError, NotFoundError
from store.db import unicode_lower
from store.eventlog import EventLog
from store.events import ReviewDecided, StoredEvent, article_stream
from store.fold import MEETING_ID_HEX
from store.schema import (
    FactSourceRow,
    MeetingFactRow,
    MeetingReportRow,
    MeetingRow,
    ReportRow,
    ReviewReportRow,
)


def resolve_meeting(conn: Connection, ref: str, *, follow_retired: bool = False) -> str:
    """A meeting id from an id or a unique prefix of one (with or without the ``m-``).

    ``follow_retired``: a full id that a split or merge retired names the meeting its namesake report
    is in now (for links and open pages; a decision must never land on another meeting than named)."""
    ref = ref.strip()
    prefix = ref if ref.startswith("m-") else f"m-{ref}"
    ids = (
        conn.execute(
            select(MeetingRow.meeting_id)
            .where(MeetingRow.meeting_id.startswith(prefix, autoescape=True))
            .limit(3)
        )
        .scalars()
        .all()
    )
    if not ids:
        moved = successor(conn, prefix) if follow_retired else None
        if moved is None:
            raise NotFoundError("meeting", ref)
        return moved
    if len(ids) > 1 and prefix not in ids:
        raise AccordError(f"{ref!r} names several meetings ({', '.join(ids)}, ...): give more of the id")
    return prefix if prefix in ids else ids[0]


def successor(conn: Connection, meeting_id: str) -> str | None:
    """Where the report a meeting was named after is now, for a full meeting id that no longer exists
    (a split or merge renamed it): old links and open pages keep leading to those reports. None when
    ``meeting_id`` is no full id or names no report."""
    hex_part = meeting_id.strip().removeprefix("m-")
    if len(hex_part) != MEETING_ID_HEX:
        return None
    found = conn.execute(
        select(ReportRow.meeting_id)
        .where(ReportRow.article_id.startswith(hex_part, autoescape=True), ReportRow.meeting_id.is_not(None))
        .limit(2)
    ).scalars()
    moved = list(found)
    return moved[0] if len(moved) == 1 else None


def _facts_by_meeting(conn: Connection, meeting_ids: list[str]) -> dict[str, list[Any]]:
    facts: dict[str, list[Any]] = defaultdict(list)
    for i in range(0, len(meeting_ids), 500):
        rows = conn.execute(
            select(MeetingFactRow)
            .where(MeetingFactRow.meeting_id.in_(meeting_ids[i : i + 500]))
            .order_by(MeetingFactRow.meeting_id, MeetingFactRow.field, MeetingFactRow.value)
        )
        for row in rows:
            facts[row.meeting_id].append(row)
    return facts


def date_text(date_from: str | None, date_to: str | None) -> str:
    if not date_from:
        return "unknown"
    return date_from if date_from == date_to else f"{date_from}..{date_to}"


def list_meetings(conn: Connection, *, status: str | None = None) -> list[dict[str, Any]]:
    query = select(MeetingRow).order_by(
        MeetingRow.date_from.is_(None), MeetingRow.date_from, MeetingRow.meeting_id
    )
    if status:
        query = query.where(MeetingRow.status == status)
    meetings = conn.execute(query).all()
    facts = _facts_by_meeting(conn, [m.meeting_id for m in meetings])
    return [_summary(m, facts[m.meeting_id]) for m in meetings]


REPORT_COLUMNS = (
    "article_id",
    "source",
    "title",
    "published",
    "outcome",
    "review_with",
    "received_position",
    "article_position",
    "extraction_position",
    "extractor_version",
)
EXPORT_COLUMNS = ("source", "article_id", "title", "published", "outcome")


def meeting_reports(conn: Connection, meeting_id: str) -> list[dict[str, Any]]:
    columns = [getattr(ReportRow, c) for c in REPORT_COLUMNS]
    rows = conn.execute(
        select(*columns, MeetingReportRow.decision_position)
        .join(MeetingReportRow, MeetingReportRow.article_id == ReportRow.article_id)
        .where(MeetingReportRow.meeting_id == meeting_id)
        .order_by(ReportRow.received_position)
    ).mappings()
    return [dict(r) for r in rows]


def meeting_detail(conn: Connection, meeting_id: str) -> dict[str, Any]:
    meeting = conn.execute(select(MeetingRow).where(MeetingRow.meeting_id == meeting_id)).one_or_none()
    if meeting is None:
        raise NotFoundError("meeting", meeting_id)
    facts = _facts_by_meeting(conn, [meeting_id])[meeting_id]
    reports = meeting_reports(conn, meeting_id)
    log = EventLog(conn)
    decisions = log.at([r["decision_position"] for r in reports if r["decision_position"]])
    for report in reports:
        event = decisions.get(report["decision_position"] or -1)
        report["decision"] = json.loads(event.payload) if event else None
    review_meeting = None
    if meeting.review_with:
        review_meeting = conn.execute(
            select(ReportRow.meeting_id).where(ReportRow.article_id == meeting.review_with)
        ).scalar()
    return {
        "id": meeting.meeting_id,
        "date": date_text(meeting.date_from, meeting.date_to),
        "date_from": meeting.date_from,
        "date_to": meeting.date_to,
        "title": meeting.title,
        "format": meeting.format,
        "place": meeting.place,
        "status": meeting.status,
        "review_with_meeting": review_meeting,
        "facts": [
            {
                "field": f.field,
                "value": f.value,
                "attrs": json.loads(f.attrs),
                "alternatives": json.loads(f.alternatives),
                "rule": f.rule,
                "review_position": f.review_position,
            }
            for f in facts
        ],
        "reports": reports,
    }


def audit(conn: Connection, meeting_id: str, *, field: str | None = None) -> list[dict[str, Any]]:
    """For each fact: every source, span and quote, and the chain of events that led to it.

    Besides ``meeting_detail``'s fact keys: ``decision``, the person's decision that made the fact
    (``position``, ``action``, ``actor``, ``reason``; None for a fact the reports gave), and ``sources``,
    each with the extractor version of its extraction and the matcher version of the decision that
    placed its report in this meeting (``matcher_version``; None if no decision placed it)."""
    detail = meeting_detail(conn, meeting_id)
    query = select(FactSourceRow).where(FactSourceRow.meeting_id == meeting_id)
    if field:
        query = query.where(FactSourceRow.field == field)
    sources: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in conn.execute(query.order_by(FactSourceRow.article_id, FactSourceRow.span_start)):
        sources[(row.field, row.value)].append(row)
    reports = {r["article_id"]: r for r in detail["reports"]}
    # A source names the decision that placed its report, which is that report's latest decision:
    # meeting_detail has already read it.
    placed = {r["decision_position"]: r["decision"] for r in detail["reports"] if r["decision"]}
    facts = [f for f in detail["facts"] if not field or f["field"] == field]
    corrections = EventLog(conn).at([f["review_position"] for f in facts if f["review_position"]])
    result = []
    for fact in facts:
        entries = []
        for s in sources[(fact["field"], fact["value"])]:
            report = reports.get(s.article_id, {})
            received, text_from = report.get("received_position"), report.get("article_position")
            chain = [
                ("received", received),
                # the spans are offsets in the text of the latest revision, when there is one
                ("revised", text_from if text_from != received else None),
                ("extracted", s.extraction_position),
                ("placed", s.decision_position),
            ]
            entries.append(
                {
                    "source": s.source,
                    "article_id": s.article_id,
                    "span": [s.span_start, s.span_end],
                    "quote": s.quote,
                    "rule": s.rule,
                    "extractor_version": s.extractor_version,
                    "matcher_version": placed.get(s.decision_position, {}).get("matcher_version"),
                    "chain": [{"step": step, "position": pos} for step, pos in chain if pos],
                }
            )
        decision = None
        if fact["review_position"] in corrections:
            made = _review_dict(corrections[fact["review_position"]])
            decision = {k: made[k] for k in ("position", "action", "actor", "reason")}
        result.append({**fact, "decision": decision, "sources": entries})
    return result


def audit_document(conn: Connection, meeting_id: str, *, field: str | None = None) -> dict[str, Any]:
    """The whole provenance of a meeting in one document: ``meeting_id``, ``facts`` (as ``audit``
    gives them) and ``decisions`` (as ``review_decisions`` gives them, every one whatever ``field``:
    a split or a merge is about no one field)."""
    return {
        "meeting_id": meeting_id,
        "facts": audit(conn, meeting_id, field=field),
        "decisions": review_decisions(conn, meeting_id),
    }


def review_decisions(conn: Connection, meeting_id: str) -> list[dict[str, Any]]:
    """Every person's decision naming any of a meeting's reports, in log order: ``position``,
    ``recorded_at``, ``action``, ``actor``, ``reason``, ``article_ids``, ``others``, ``field``, ``value``.

    A decision that left no trace in the facts is here too: a removal, a confirmation, a split or merge."""
    members = [r["article_id"] for r in meeting_reports(conn, meeting_id)]
    events = EventLog(conn).at(_review_positions(conn, members))
    return [_review_dict(events[p]) for p in sorted(events)]


def _review_positions(conn: Connection, article_ids: list[str]) -> list[int]:
    """The log positions of the review decisions naming any of ``article_ids``."""
    named = select(ReviewReportRow.position).where(ReviewReportRow.article_id.in_(article_ids)).distinct()
    return list(conn.execute(named).scalars())


def _review_dict(event: StoredEvent) -> dict[str, Any]:
    """A ReviewDecided event as the audit shows it (its payload upcast to the current schema)."""
    decided = event.domain()
    if not isinstance(decided, ReviewDecided):
        raise AccordError(f"event #{event.position} is a {event.type}, not a review decision")
    return {
        "position": event.position,
        "recorded_at": event.recorded_at,
        "action": decided.action,
        "actor": decided.actor,
        "reason": decided.reason,
        "article_ids": decided.article_ids,
        "others": decided.others,
        "field": decided.field_name,
        "value": decided.value,
    }


def export_meetings(conn: Connection) -> Iterator[dict[str, Any]]:
    """One dict per meeting, for json/jsonl/csv export."""
    meetings = conn.execute(select(MeetingRow).order_by(MeetingRow.meeting_id)).all()
    ids = [m.meeting_id for m in meetings]
    facts = _facts_by_meeting(conn, ids)
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(MeetingReportRow.meeting_id, *(getattr(ReportRow, c) for c in EXPORT_COLUMNS))
            .join(ReportRow, ReportRow.article_id == MeetingReportRow.article_id)
            .where(MeetingReportRow.meeting_id.in_(ids[i : i + 500]))
            .order_by(ReportRow.received_position)
        ).mappings()
        for row in rows:
            reports[row["meeting_id"]].append({c: row[c] for c in EXPORT_COLUMNS})
    for m in meetings:
        f = facts[m.meeting_id]
        # Every meeting has the same keys: ``date`` is the day of a one-day meeting (None for a range or
        # none), ``date_from`` and ``date_to`` are always its window.
        one_day = m.date_from if m.date_from and m.date_from == m.date_to else None
        item: dict[str, Any] = {
            "id": m.meeting_id,
            "date": one_day,
            "date_from": m.date_from,
            "date_to": m.date_to,
        }
        item.update(
            {
                "title": m.title,
                "participants": [
                    {
                        "name": x.value,
                        **{k: v for k, v in json.loads(x.attrs).items() if k in ("role", "organization")},
                    }
                    for x in f
                    if x.field == "participant"
                ],
                "organizations": [x.value for x in f if x.field == "organization"],
                "place": m.place,
                "format": m.format,
                "topics": [x.value for x in f if x.field == "topic"],
                "status": m.status,
                "reports": reports[m.meeting_id],
            }
        )
        yield item


# --- The review page's reads: one page of meetings at a time, the texts behind the spans, the history.

STATUSES = ("needs-review", "merged", "single", "confirmed")


@dataclass(frozen=True, kw_only=True)
class Cursor:
    """A place in the meeting list's order (newest date first, undated last, then id descending)."""

    date_from: str | None
    meeting_id: str

    def token(self) -> str:
        return f"{self.date_from or ''}~{self.meeting_id}"

    @classmethod
    def parse(cls, token: str) -> Cursor:
        date_from, sep, meeting_id = token.partition("~")
        if not sep or not meeting_id.startswith("m-") or (date_from and len(date_from) != 10):
            raise AccordError(
                f"{token!r} is not a place in the meeting list: start again from the first page"
            )
        return cls(date_from=date_from or None, meeting_id=meeting_id)


@dataclass(frozen=True, kw_only=True)
class MeetingPage:
    """One page of the meeting list; ``after`` / ``before`` continue it forwards or backwards."""

    meetings: list[dict[str, Any]]
    after: Cursor | None
    before: Cursor | None


def _keyset(
    conn: Connection, query: Select[Any], cursor: Cursor | None, limit: int, *, backwards: bool
) -> list[Any]:
    """Up to ``limit`` rows of ``query`` following ``cursor`` in the list's order (preceding it, nearest
    first, when ``backwards``).

    The order has two runs, dated meetings then undated ones, read as two queries so that each is a
    plain range over (date_from, meeting_id) that the database answers from its index, not a sort of
    every meeting.
    """
    dated, undated = MeetingRow.date_from.is_not(None), MeetingRow.date_from.is_(None)
    key = tuple_(MeetingRow.date_from, MeetingRow.meeting_id)
    runs: list[Select[Any]] = []
    if not backwards:
        if cursor is None or cursor.date_from is not None:
            run = query.where(dated)
            if cursor is not None:
                run = run.where(key < tuple_(cursor.date_from, cursor.meeting_id))
            runs.append(run.order_by(MeetingRow.date_from.desc(), MeetingRow.meeting_id.desc()))
        run = query.where(undated)
        if cursor is not None and cursor.date_from is None:
            run = run.where(MeetingRow.meeting_id < cursor.meeting_id)
        runs.append(run.order_by(MeetingRow.meeting_id.desc()))
    else:
        if cursor is None or cursor.date_from is None:
            run = query.where(undated)
            if cursor is not None:
                run = run.where(MeetingRow.meeting_id > cursor.meeting_id)
            runs.append(run.order_by(MeetingRow.meeting_id))
        run = query.where(dated)
        if cursor is not None and cursor.date_from is not None:
            run = run.where(key > tuple_(cursor.date_from, cursor.meeting_id))
        runs.append(run.order_by(MeetingRow.date_from, MeetingRow.meeting_id))
    rows: list[Any] = []
    for run in runs:
        if len(rows) >= limit:
            break
        rows.extend(conn.execute(run.limit(limit - len(rows))).all())
    return rows


def _matches(text: str) -> ColumnElement[bool]:
    """Meetings whose id, title, place, a fact's value or a report's source contains ``text`` (any case,
    in any alphabet: "ångström" finds "Ångström")."""
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"

    def contains(column: QueryableAttribute[Any]) -> ColumnElement[bool]:
        return unicode_lower(column).like(pattern, escape="\\")

    in_facts = (
        select(MeetingFactRow.meeting_id)
        .where(MeetingFactRow.meeting_id == MeetingRow.meeting_id, contains(MeetingFactRow.value))
        .exists()
    )
    in_sources = (
        select(MeetingReportRow.meeting_id)
        .join(ReportRow, ReportRow.article_id == MeetingReportRow.article_id)
        .where(MeetingReportRow.meeting_id == MeetingRow.meeting_id, contains(ReportRow.source))
        .exists()
    )
    return or_(
        contains(MeetingRow.meeting_id),
        contains(MeetingRow.title),
        contains(MeetingRow.place),
        in_facts,
        in_sources,
    )


def meeting_page(
    conn: Connection,
    *,
    status: str | None = None,
    search: str | None = None,
    after: Cursor | None = None,
    before: Cursor | None = None,
    limit: int = 50,
) -> MeetingPage:
    """One page of meetings, newest first, by keyset (never an offset scan, never the whole table).

    ``after`` gives the page following a cursor, ``before`` the page preceding one. The page's
    ``after`` / ``before`` are None where there is nothing further that way.
    """
    if after is not None and before is not None:
        raise AccordError("a page is either after or before a place in the list, not both")
    if status and status not in STATUSES:
        raise AccordError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    query = select(MeetingRow)
    if status:
        query = query.where(MeetingRow.status == status)
    if search and search.strip():
        query = query.where(_matches(search.strip()))
    backwards = before is not None
    rows = _keyset(conn, query, before or after, limit + 1, backwards=backwards)
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    cursors = [Cursor(date_from=m.date_from, meeting_id=m.meeting_id) for m in rows]
    first, last = (cursors[0], cursors[-1]) if cursors else (None, None)
    if backwards:
        next_cursor, prev_cursor = last, first if more else None
    else:
        next_cursor, prev_cursor = last if more else None, first if after is not None else None
    facts = _facts_by_meeting(conn, [m.meeting_id for m in rows])
    return MeetingPage(
        meetings=[_summary(m, facts[m.meeting_id]) for m in rows], after=next_cursor, before=prev_cursor
    )


def _summary(m: Any, facts: list[Any]) -> dict[str, Any]:
    return {
        "id": m.meeting_id,
        "date": date_text(m.date_from, m.date_to),
        "status": m.status,
        "reports": m.report_count,
        "format": m.format,
        "place": m.place,
        "participants": [f.value for f in facts if f.field == "participant"],
        "organizations": [f.value for f in facts if f.field == "organization"],
        "title": m.title,
    }


def status_counts(conn: Connection) -> dict[str, int]:
    """How many meetings have each status (every status is present, zero where none)."""
    counts = dict.fromkeys(STATUSES, 0)
    rows = conn.execute(select(MeetingRow.status, func.count()).group_by(MeetingRow.status))
    counts.update(dict(rows.all()))
    return counts


def report_texts(conn: Connection, meeting_id: str) -> dict[str, dict[str, Any]]:
    """For each report of a meeting, the text its current extraction read (the text its spans index).

    Keyed by article id: ``text``, ``article_position`` (the ArticleReceived/ArticleRevised event the text
    is from) and ``extraction_position``.
    """
    reports = meeting_reports(conn, meeting_id)
    log = EventLog(conn)
    extractions = log.at([r["extraction_position"] for r in reports if r["extraction_position"]])
    article_positions = {p: json.loads(e.payload)["article_position"] for p, e in extractions.items()}
    articles = log.at(list(article_positions.values()))
    result = {}
    for r in reports:
        article_position = article_positions.get(r["extraction_position"] or -1)
        if article_position is None or article_position not in articles:
            continue
        result[r["article_id"]] = {
            "text": json.loads(articles[article_position].payload)["text"],
            "article_position": article_position,
            "extraction_position": r["extraction_position"],
        }
    return result


def report_meetings(conn: Connection, article_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Where reports are now: article id -> ``meeting_id`` and ``source`` (ids not found are left out)."""
    result: dict[str, dict[str, Any]] = {}
    unique = sorted(set(article_ids))
    for i in range(0, len(unique), 500):
        rows = conn.execute(
            select(ReportRow.article_id, ReportRow.meeting_id, ReportRow.source).where(
                ReportRow.article_id.in_(unique[i : i + 500])
            )
        )
        for article_id, meeting_id, source in rows:
            result[article_id] = {"meeting_id": meeting_id, "source": source}
    return result


# Payload fields too big to show in a history line: the article's text, and the matcher's inputs.
_BULKY = ("raw", "text", "extraction")


def _event_dict(event: StoredEvent) -> dict[str, Any]:
    return {
        "position": event.position,
        "type": event.type,
        "schema_version": event.schema_version,
        "stream_id": event.stream_id,
        "stream_version": event.stream_version,
        "recorded_at": event.recorded_at,
        "metadata": json.loads(event.metadata),
        "payload": json.loads(event.payload),
        "hash": event.hash,
    }


def meeting_history(conn: Connection, meeting_id: str) -> list[dict[str, Any]]:
    """The events that made a meeting what it is, in log order: every event of its reports' streams
    and every review decision about any of its reports (with the article's text left out)."""
    members = [r["article_id"] for r in meeting_reports(conn, meeting_id)]
    if not members:
        raise NotFoundError("meeting", meeting_id)
    log = EventLog(conn)
    events = {e.position: e for a in members for e in log.stream(article_stream(a))}
    events.update(log.at(_review_positions(conn, members)))
    result = []
    for position in sorted(events):
        item = _event_dict(events[position])
        item["payload"] = {k: v for k, v in item["payload"].items() if k not in _BULKY}
        result.append(item)
    return result


def last_position(conn: Connection) -> int:
    """The position of the newest event in the log (0 when it is empty)."""
    position, _ = EventLog(conn).head()
    return position


def event_detail(conn: Connection, position: int) -> dict[str, Any]:
    """One event of the log, whole: position, type, stream, time, metadata, payload, hashes."""
    event = EventLog(conn).at([position]).get(position)
    if event is None:
        raise NotFoundError("event", f"#{position}")
    return {**_event_dict(event), "prev_hash": event.prev_hash}
