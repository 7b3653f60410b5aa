"""Read side for the CLI, the exports and the review page: plain dicts out of the projection tables."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from accord.errors import AccordError, NotFoundError
from store.eventlog import EventLog
from store.schema import FactSourceRow, MeetingFactRow, MeetingReportRow, MeetingRow, ReportRow


def resolve_meeting(conn: Connection, ref: str) -> str:
    """A meeting id from an id or a unique prefix of one (with or without the ``m-``)."""
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
        raise NotFoundError("meeting", ref)
    if len(ids) > 1 and prefix not in ids:
        raise AccordError(f"{ref!r} names several meetings ({', '.join(ids)}, ...): give more of the id")
    return prefix if prefix in ids else ids[0]


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
    result = []
    for m in meetings:
        people = [f.value for f in facts[m.meeting_id] if f.field == "participant"]
        orgs = [f.value for f in facts[m.meeting_id] if f.field == "organization"]
        result.append(
            {
                "id": m.meeting_id,
                "date": date_text(m.date_from, m.date_to),
                "status": m.status,
                "reports": m.report_count,
                "format": m.format,
                "place": m.place,
                "participants": people,
                "organizations": orgs,
                "title": m.title,
            }
        )
    return result


REPORT_COLUMNS = (
    "article_id",
    "source",
    "title",
    "published",
    "outcome",
    "review_with",
    "received_position",
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
    """For each fact: every source, span and quote, and the chain of events that led to it."""
    detail = meeting_detail(conn, meeting_id)
    query = select(FactSourceRow).where(FactSourceRow.meeting_id == meeting_id)
    if field:
        query = query.where(FactSourceRow.field == field)
    sources: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in conn.execute(query.order_by(FactSourceRow.article_id, FactSourceRow.span_start)):
        sources[(row.field, row.value)].append(row)
    reports = {r["article_id"]: r for r in detail["reports"]}
    result = []
    for fact in detail["facts"]:
        if field and fact["field"] != field:
            continue
        entries = []
        for s in sources[(fact["field"], fact["value"])]:
            report = reports.get(s.article_id, {})
            chain = [
                ("received", report.get("received_position")),
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
                    "chain": [{"step": step, "position": pos} for step, pos in chain if pos],
                }
            )
        result.append({**fact, "sources": entries})
    return result


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
        item: dict[str, Any] = {"id": m.meeting_id}
        if m.date_from and m.date_from == m.date_to:
            item["date"] = m.date_from
        else:
            item["date"] = None
            item["date_from"] = m.date_from
            item["date_to"] = m.date_to
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
