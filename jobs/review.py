"""Human review: confirm, split, merge, correct. Each is a ``ReviewDecided`` event, then the matcher
re-decides the reports involved with the decision as a constraint, in the same transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from accord.errors import AccordError
from extract.formats import FORMATS
from jobs.pipeline import MatchReads, Pipeline
from store.eventlog import EventLog
from store.events import NewEvent, ReviewDecided, StoredEvent
from store.fold import date_window
from store.projections import Projector
from store.queries import resolve_meeting
from store.schema import MeetingFactRow, MeetingReportRow, ReportRow

ACTIONS = ("confirm", "split", "merge", "correct", "remove")
CORRECTABLE = ("date", "participant", "organization", "place", "format", "topic")


@dataclass(frozen=True, kw_only=True)
class Reviewed:
    """What a review decision did: the event recorded and the meetings its reports are in afterwards."""

    position: int  # the ReviewDecided event's position in the log
    meetings: list[str]
    # Where to look next: the meeting the reviewed reports are in now (after a split, the one the rest
    # stayed in, not the report taken out).
    meeting: str | None = None
    repeated: bool = False  # True: this submission had already been recorded, nothing was appended


def _members(conn: object, meeting_id: str) -> list[str]:
    rows = conn.execute(  # type: ignore[attr-defined]
        select(MeetingReportRow.article_id).where(MeetingReportRow.meeting_id == meeting_id)
    )
    return sorted(rows.scalars())


def _resolve_report(conn: object, members: list[str], ref: str) -> str:
    hits = [m for m in members if m.startswith(ref)]
    if not hits:
        sources = conn.execute(  # type: ignore[attr-defined]
            select(ReportRow.source, ReportRow.article_id).where(ReportRow.article_id.in_(members))
        ).all()
        # Every report with that source: two copies of one feed give two reports with one item URL.
        hits = sorted(a for s, a in sources if s == ref or s.endswith("/" + ref))
    if len(hits) != 1:
        several = f" ({len(hits)} reports have it: give the id)" if len(hits) > 1 else ""
        raise AccordError(
            f"{ref!r} does not name exactly one report of this meeting{several} (give its id or source)"
        )
    return hits[0]


def _named_fact(action: str, field_name: str | None, value: str | None) -> tuple[str, str]:
    """The field and the value (spaces collapsed) a correction or removal names; AccordError if either
    is missing."""
    if field_name not in CORRECTABLE or value is None or not value.strip():
        raise AccordError(f"{action} needs a field ({', '.join(CORRECTABLE)}) and a value")
    return field_name, " ".join(value.split())


def _corrected_value(field_name: str | None, value: str | None) -> str:
    """The value a correction records, or AccordError saying what the field takes."""
    field_name, value = _named_fact("correct", field_name, value)
    if field_name == "date":
        window = date_window(value)
        if window is None:
            raise AccordError(
                f"{value!r} is not a date: give YYYY-MM-DD, or FROM..TO for a window "
                "(2020-11-02..2020-11-03), FROM not after TO"
            )
        return window[0] if window[0] == window[1] else f"{window[0]}..{window[1]}"
    if field_name == "format" and value not in FORMATS:
        raise AccordError(f"{value!r} is not a format: one of {', '.join(FORMATS)}")
    return value


def _stated_value(conn: Connection, meeting_id: str, field_name: str | None, value: str | None) -> str:
    """The value, as the meeting states it, of the fact a removal names; AccordError if it states none."""
    field_name, value = _named_fact("remove", field_name, value)
    stated = conn.execute(
        select(MeetingFactRow.value).where(
            MeetingFactRow.meeting_id == meeting_id, MeetingFactRow.field == field_name
        )
    ).scalars()
    values = sorted(set(stated))
    wanted = value.casefold()
    for candidate in values:
        if candidate.casefold() == wanted:
            return candidate
    listed = ", ".join(repr(v) for v in values) or "none"
    raise AccordError(f"meeting {meeting_id} states no {field_name} {value!r} (it states: {listed})")


def review(
    engine: Engine,
    action: str,
    meeting: str,
    *,
    actor: str,
    reason: str,
    report: str | None = None,
    other_meeting: str | None = None,
    field_name: str | None = None,
    value: str | None = None,
    seen: Collection[str] | None = None,
    submission: str | None = None,
) -> Reviewed:
    """Record a person's decision about a meeting and let the matcher follow it.

    ``seen``, when given, are the reports the person saw in the meeting: if the meeting holds others
    now (someone split or merged it, or the matcher added a report since), the decision is refused
    rather than applied to reports nobody looked at. ``submission`` names one submission of a form:
    the same submission again (a double click, a resent form) records nothing and returns the first
    one's result. Returns the decision's log position and the meeting ids the affected reports are in.
    """
    if action not in ACTIONS:
        raise AccordError(f"unknown review action {action!r}: one of {', '.join(ACTIONS)}")
    if not reason.strip():
        raise AccordError("a review decision needs a reason: say why, it is kept with the decision")
    with engine.begin() as conn:
        log = EventLog(conn)
        log.lock()
        projector = Projector(conn)
        projector.catch_up()
        if submission is not None:
            earlier = _submitted(log, meeting, submission)
            if earlier is not None:
                decided = earlier.domain()
                assert isinstance(decided, ReviewDecided)  # the review streams hold nothing else
                return _outcome(conn, earlier.position, decided, repeated=True)
        meeting_id = resolve_meeting(conn, meeting)
        members = _members(conn, meeting_id)
        if seen is not None and sorted(set(seen)) != members:
            raise AccordError(
                f"meeting {meeting_id} changed since its page was opened: it holds {len(members)} "
                f"report{'s' if len(members) != 1 else ''} now, {len(set(seen))} were shown. "
                "Nothing was recorded; look at it again before deciding"
            )
        others: list[str] = []
        ids = members
        if action == "split":
            if report is None:
                raise AccordError("split needs the report to take out of the meeting")
            chosen = _resolve_report(conn, members, report)
            if len(members) < 2:
                raise AccordError(f"meeting {meeting_id} has only one report: nothing to split")
            ids, others = [chosen], [m for m in members if m != chosen]
        elif action == "merge":
            if other_meeting is None:
                raise AccordError("merge needs the other meeting")
            other_id = resolve_meeting(conn, other_meeting)
            if other_id == meeting_id:
                raise AccordError("a meeting cannot be merged with itself")
            others = _members(conn, other_id)
        elif action == "correct":
            value = _corrected_value(field_name, value)
        elif action == "remove":
            value = _stated_value(conn, meeting_id, field_name, value)
        event = ReviewDecided(
            action=action,
            article_ids=ids,
            others=others,
            field_name=field_name,
            value=value,
            actor=actor,
            reason=reason,
        )
        metadata = {"actor": actor} if submission is None else {"actor": actor, "submission": submission}
        stream = f"review-{meeting_id}"
        [stored] = log.append([NewEvent(stream_id=stream, event=event, metadata=metadata)])
        projector.catch_up()
        if action in ("split", "merge"):
            pipeline = Pipeline(engine, actor=actor)
            # One set of reads for all the reports: their components overlap, and scoring a component's
            # pairs is most of a match, so each pair is scored once, not once per report (a merge of two
            # 5-report meetings among 1,000 reports: 5 s before, 2.7 s). Each match's decisions go into
            # it, so the next match compares with what is logged.
            reads = MatchReads(conn)
            trigger = f"review#{stored.position}"
            for article_id in [*ids, *others]:
                reads.decided(
                    pipeline.match(conn, article_id, trigger=trigger, reads=reads, only_changes=True)
                )
            projector.catch_up()  # once: the next match reads the decisions from ``reads``
        return _outcome(conn, stored.position, event)


def _submitted(log: EventLog, meeting: str, submission: str) -> StoredEvent | None:
    """The decision recorded for ``submission`` on the meeting it was made on, if any."""
    for stored in log.stream(f"review-{meeting}"):
        if stored.meta().get("submission") == submission:
            return stored
    return None


def _outcome(conn: Connection, position: int, decided: ReviewDecided, *, repeated: bool = False) -> Reviewed:
    """What decision ``decided`` (recorded at ``position``) did, read from the projections now."""
    touched = [*decided.article_ids, *decided.others]
    rows = conn.execute(
        select(ReportRow.article_id, ReportRow.meeting_id).where(ReportRow.article_id.in_(touched))
    )
    where = dict(rows.all())
    stays = decided.others if decided.action == "split" else decided.article_ids
    return Reviewed(
        position=position,
        meetings=sorted({m for m in where.values() if m}),
        meeting=next((where[a] for a in stays if where.get(a)), None),
        repeated=repeated,
    )


def rematch(engine: Engine) -> int:
    """Run the matcher again over every report (after a matcher upgrade). Human decisions still hold.

    Returns how many decisions changed."""
    changed = 0
    with engine.begin() as conn:
        EventLog(conn).lock()
        projector = Projector(conn)
        projector.catch_up()
        ids = sorted(
            conn.execute(select(ReportRow.article_id).where(ReportRow.profile.is_not(None))).scalars()
        )
    pipeline = Pipeline(engine)
    for article_id in ids:
        with engine.begin() as conn:
            EventLog(conn).lock()
            projector = Projector(conn)
            projector.catch_up()
            changed += len(pipeline.match(conn, article_id, trigger="rematch", only_changes=True))
            projector.catch_up()
    return changed
