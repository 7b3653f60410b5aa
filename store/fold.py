"""Projection folds: report states and canonical meetings as pure functions of events. No database.

A meeting is a group of reports that the latest match decisions put together. Its facts are folded from
the members' latest extractions and the human decisions that touch them, so the same events always give
the same rows, however they were batched: that is what lets ``rebuild --check`` demand bit-identity.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from extract.facts import Extraction, Fact
from matcher import ReportProfile, blocking_keys, profile_from_extraction
from store.events import (
    ArticleReceived,
    ArticleRevised,
    MatchDecided,
    ReportExtracted,
    ReviewDecided,
    canonical_json,
    parse_json,
    to_domain,
)

# Facts with this rule name people the report only mentions; they are not the meeting's participants.
MENTION_RULE = "mention"
MEETING_FIELDS = ("participant", "organization", "place", "format", "topic")


@dataclass(frozen=True, kw_only=True)
class ReportState:
    """What the projections know of one report (one article)."""

    article_id: str
    source: str
    origin: str
    title: str | None
    published: str | None
    content_hash: str
    revision: int
    received_position: int
    article_position: int
    extraction_position: int | None = None
    extractor_version: str | None = None
    extraction: str | None = None  # canonical JSON
    profile: str | None = None  # canonical JSON
    decision_position: int | None = None
    cluster: str | None = None  # canonical JSON list of article ids
    outcome: str | None = None
    review_with: str | None = None

    def group_key(self) -> str:
        """Reports whose latest decisions name the same cluster form one meeting."""
        return self.cluster or canonical_json([self.article_id])

    def parsed_extraction(self) -> Extraction | None:
        """The extraction, parsed. Shared between states with the same JSON: not to be modified."""
        return None if self.extraction is None else _parse_extraction(self.extraction)


@lru_cache(maxsize=256)
def _parse_extraction(text: str) -> Extraction:
    """Parse a stored extraction; remembered, because the live path folds a meeting again each time a
    report joins it, from the same members' extractions."""
    return Extraction.from_dict(parse_json(text))


@dataclass(frozen=True, kw_only=True)
class Review:
    position: int
    action: str
    article_ids: tuple[str, ...]
    others: tuple[str, ...]
    field_name: str | None
    value: str | None
    actor: str
    reason: str

    @property
    def names(self) -> frozenset[str]:
        """Every report the review names (in ``article_ids`` or ``others``)."""
        return frozenset((*self.article_ids, *self.others))

    @classmethod
    def from_event(cls, position: int, event: ReviewDecided) -> Review:
        return cls(
            position=position,
            action=event.action,
            article_ids=tuple(event.article_ids),
            others=tuple(event.others),
            field_name=event.field_name,
            value=event.value,
            actor=event.actor,
            reason=event.reason,
        )


def apply_article(state: ReportState | None, position: int, event: ArticleReceived) -> ReportState:
    """Fold an ArticleReceived / ArticleRevised into the report's state."""
    revision = event.revision if isinstance(event, ArticleRevised) else 1
    if state is None:
        return ReportState(
            article_id=event.article_id,
            source=event.source,
            origin=event.origin,
            title=event.title,
            published=event.published,
            content_hash=event.content_hash,
            revision=revision,
            received_position=position,
            article_position=position,
        )
    return replace(
        state,
        source=event.source,
        origin=event.origin,
        title=event.title,
        published=event.published,
        content_hash=event.content_hash,
        revision=revision,
        article_position=position,
    )


@dataclass(frozen=True, kw_only=True)
class DerivedReport:
    """What one extraction gives the projections: its stored forms and the report's blocking keys."""

    extraction: str  # canonical JSON of the extraction
    profile: str  # canonical JSON of the matcher profile
    keys: frozenset[str]


def derive_report(article_id: str, extraction: dict[str, Any], text: str, title: str | None) -> DerivedReport:
    """Derive a report's stored forms from its extraction and the article text it was run on.

    The extraction is parsed once, for the profile; the keys come from the profile.
    """
    profile = profile_from_extraction(article_id, Extraction.from_dict(extraction), text, title)
    return derive_from_profile(extraction, profile)


def derive_from_profile(extraction: dict[str, Any], profile: ReportProfile) -> DerivedReport:
    """``derive_report`` for a caller that holds the report's profile already (the one
    ``profile_from_extraction`` gives for the same extraction, text and title)."""
    return DerivedReport(
        extraction=canonical_json(extraction),
        profile=canonical_json(profile.to_dict()),
        keys=blocking_keys(profile),
    )


def derive_reports(items: list[tuple[str, int, str, str | None]]) -> list[DerivedReport]:
    """``derive_report`` over (ReportExtracted payload, schema version, text, title): a ``Fanout`` task.

    The payload comes as the log's JSON text, not decoded: a string crosses to a worker process at the
    cost of a copy, the decoded extraction (dozens of small dicts) at many times that.
    """
    derived = []
    for payload, schema_version, text, title in items:
        event = to_domain(ReportExtracted.TYPE, schema_version, parse_json(payload))
        if not isinstance(event, ReportExtracted):
            raise TypeError(f"not a ReportExtracted payload: {type(event).__name__}")
        derived.append(derive_report(event.article_id, event.extraction, text, title))
    return derived


def apply_extraction(
    state: ReportState, position: int, extractor_version: str, derived: DerivedReport
) -> ReportState:
    """Fold a ReportExtracted (at ``position``, by ``extractor_version``) given its derivation."""
    return replace(
        state,
        extraction_position=position,
        extractor_version=extractor_version,
        extraction=derived.extraction,
        profile=derived.profile,
    )


# A report's decision as the reports projection holds it: (cluster as canonical JSON, outcome,
# review_with); all None while the matcher has not placed it.
Placement = tuple[str | None, str | None, str | None]
UNDECIDED: Placement = (None, None, None)


def placement(cluster: Iterable[str], outcome: str, review_with: str | None) -> Placement:
    """A decision's (cluster, outcome, review_with) as ``apply_decision`` projects them."""
    return canonical_json(sorted(cluster)), outcome, review_with


def apply_decision(state: ReportState, position: int, event: MatchDecided) -> ReportState:
    cluster, outcome, review_with = placement(event.cluster, event.outcome, event.review_with)
    return replace(
        state, decision_position=position, cluster=cluster, outcome=outcome, review_with=review_with
    )


# --- meetings ---------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SourcedFact:
    """One report's support for a meeting fact."""

    fact: Fact
    report: ReportState


@dataclass(kw_only=True)
class MeetingView:
    """All rows of one meeting, ready to write."""

    meeting: dict[str, Any]
    reports: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)


MEETING_ID_HEX = 12  # a meeting id is "m-" and this many characters of its namesake report's id


def meeting_id_for(members: Sequence[ReportState]) -> str:
    """A meeting is named after its earliest-received report: stable while reports join it."""
    first = min(members, key=lambda r: r.received_position)
    return f"m-{first.article_id[:MEETING_ID_HEX]}"


def _date_value(date_from: str | None, date_to: str | None) -> str | None:
    if date_from is None or date_to is None:
        return None
    return date_from if date_from == date_to else f"{date_from}..{date_to}"


def _fold_date(
    extracted: Sequence[tuple[ReportState, Extraction]],
) -> tuple[str | None, str | None, str, list[str]]:
    """The meeting's date window: the intersection of the members' windows.

    Returns (from, to, rule, alternatives). Members whose windows do not meet (only a human merge can
    cause that: the matcher vetoes it) are resolved to the window most reports support.
    """
    windows = [(x.date_from, x.date_to) for _, x in extracted if x.date_from and x.date_to]
    if not windows:
        return None, None, "no-date", []
    distinct = sorted({_date_value(a, b) or "" for a, b in windows})
    lo = max(a for a, _ in windows)
    hi = min(b for _, b in windows)
    if lo <= hi:
        rule = "single-source" if len(windows) == 1 else "intersection"
        alternatives = [v for v in distinct if v != _date_value(lo, hi)]
        return lo, hi, rule, alternatives
    counts = Counter(windows)
    (lo, hi), _ = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    alternatives = [v for v in distinct if v != _date_value(lo, hi)]
    return lo, hi, "conflict:most-supported", alternatives


def _choose(values: Counter[str], tiebreak: dict[str, int]) -> str:
    return min(values, key=lambda v: (-values[v], tiebreak[v], v))


def fold_meeting(members: Sequence[ReportState], reviews: Iterable[Review]) -> MeetingView:
    """The canonical meeting for one group of reports, with every fact's sources."""
    members = sorted(members, key=lambda r: r.received_position)
    meeting_id = meeting_id_for(members)
    ids = {m.article_id for m in members}
    reviews = sorted(reviews, key=lambda r: r.position)
    corrections = _corrections_of(ids, reviews)
    extracted = [(m, x) for m in members if (x := m.parsed_extraction()) is not None]

    view = MeetingView(meeting={})
    view.reports = [
        {
            "meeting_id": meeting_id,
            "article_id": m.article_id,
            "decision_position": m.decision_position,
            "outcome": m.outcome,
        }
        for m in members
    ]

    # Collect every report's support per (field, key), the key being what makes two facts the same.
    support: dict[tuple[str, str], list[SourcedFact]] = defaultdict(list)
    affiliations = _affiliations(extracted)
    people = _person_keys(extracted)
    for report, extraction in extracted:
        for fact in extraction.facts:
            if fact.field == "date" or fact.rule == MENTION_RULE or fact.field not in MEETING_FIELDS:
                continue
            if fact.field == "organization" and affiliations and fact.value not in affiliations:
                continue
            key = fact.attrs.get("key") or fact.value.casefold()
            if fact.field == "participant":
                key = people.get(key, key)
            support[(fact.field, key)].append(SourcedFact(fact=fact, report=report))

    chosen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (field_name, _key), sourced in sorted(support.items()):
        spellings = Counter(s.fact.value for s in sourced)
        first_seen: dict[str, int] = {}
        for s in sourced:
            first_seen.setdefault(s.fact.value, s.report.received_position)
        value = _choose(spellings, first_seen)
        attrs = _merge_attrs(sourced)
        chosen[field_name].append(
            {
                "value": value,
                "spellings": _folded(spellings),
                "attrs": attrs,
                "alternatives": sorted(v for v in spellings if v != value),
                "rule": "single-source" if len({s.report.article_id for s in sourced}) == 1 else "agreed",
                "sourced": sourced,
                "support": len({s.report.article_id for s in sourced}),
            }
        )

    # Single-valued fields: keep the value most reports support, the others become alternatives.
    for field_name in ("place", "format"):
        entries = chosen.get(field_name, [])
        if len(entries) > 1:
            entries.sort(
                key=lambda e: (
                    -e["support"],
                    min(s.report.received_position for s in e["sourced"]),
                    e["value"],
                )
            )
            winner, losers = entries[0], entries[1:]
            winner["alternatives"] = sorted({*winner["alternatives"], *(e["value"] for e in losers)})
            winner["rule"] = "majority"
            chosen[field_name] = [winner]

    date_from, date_to, date_rule, date_alternatives = _fold_date(extracted)
    date_value = _date_value(date_from, date_to)
    if date_value is not None and date_from is not None and date_to is not None:
        date_sources = _date_sources(extracted, date_from, date_to)
        chosen["date"] = [
            {
                "value": date_value,
                "spellings": _folded([date_value]),
                "attrs": {"from": date_from, "to": date_to},
                "alternatives": date_alternatives,
                "rule": date_rule,
                "sourced": date_sources,
                "support": len({s.report.article_id for s in date_sources}),
            }
        ]

    corrected_by = _apply_corrections(chosen, corrections)

    for field_name, entries in sorted(chosen.items()):
        for entry in entries:
            view.facts.append(
                {
                    "meeting_id": meeting_id,
                    "field": field_name,
                    "value": entry["value"],
                    "attrs": canonical_json(entry["attrs"]),
                    "alternatives": canonical_json(entry["alternatives"]),
                    "rule": entry["rule"],
                    "review_position": corrected_by.get((field_name, entry["value"])),
                }
            )
            seen: set[tuple[str, int]] = set()
            for s in entry["sourced"]:
                if (s.report.article_id, s.fact.start) in seen:
                    continue
                seen.add((s.report.article_id, s.fact.start))
                view.sources.append(
                    {
                        "meeting_id": meeting_id,
                        "field": field_name,
                        "value": entry["value"],
                        "article_id": s.report.article_id,
                        "span_start": s.fact.start,
                        "span_end": s.fact.end,
                        "quote": s.fact.quote,
                        "rule": s.fact.rule,
                        "source": s.report.source,
                        "extraction_position": s.report.extraction_position or 0,
                        "extractor_version": s.report.extractor_version or "",
                        "decision_position": s.report.decision_position,
                    }
                )

    date_attrs = chosen["date"][0]["attrs"] if chosen.get("date") else {}
    view.meeting = {
        "meeting_id": meeting_id,
        "date_from": date_attrs.get("from"),
        "date_to": date_attrs.get("to"),
        "title": next((m.title for m in members if m.title), None),
        "format": _single(chosen, "format"),
        "place": _single(chosen, "place"),
        "status": _status(members, reviews),
        "report_count": len(members),
        "review_with": next(
            (m.review_with for m in members if m.outcome == "review" and m.review_with), None
        ),
    }
    return view


class MeetingRows(NamedTuple):
    """A meeting's rows as value tuples, in the column orders below (``MEETING_COLUMNS``...)."""

    meeting: tuple[Any, ...]
    reports: list[tuple[Any, ...]]
    facts: list[tuple[Any, ...]]
    sources: list[tuple[Any, ...]]


# The columns of each kind of row, in the order ``fold_meeting`` writes its dicts' keys.
MEETING_COLUMNS = (
    "meeting_id",
    "date_from",
    "date_to",
    "title",
    "format",
    "place",
    "status",
    "report_count",
    "review_with",
)
MEMBER_COLUMNS = ("meeting_id", "article_id", "decision_position", "outcome")
FACT_COLUMNS = ("meeting_id", "field", "value", "attrs", "alternatives", "rule", "review_position")
SOURCE_COLUMNS = (
    "meeting_id",
    "field",
    "value",
    "article_id",
    "span_start",
    "span_end",
    "quote",
    "rule",
    "source",
    "extraction_position",
    "extractor_version",
    "decision_position",
)
_meeting_values = itemgetter(*MEETING_COLUMNS)
_member_values = itemgetter(*MEMBER_COLUMNS)
_fact_values = itemgetter(*FACT_COLUMNS)
_source_values = itemgetter(*SOURCE_COLUMNS)


def meeting_rows(view: MeetingView) -> MeetingRows:
    return MeetingRows(
        meeting=_meeting_values(view.meeting),
        reports=[_member_values(r) for r in view.reports],
        facts=[_fact_values(f) for f in view.facts],
        sources=[_source_values(s) for s in view.sources],
    )


def fold_meetings(groups: list[tuple[list[ReportState], list[Review]]]) -> list[MeetingRows]:
    """``fold_meeting`` over (members, reviews) groups, as rows: one task of a ``Fanout``.

    Rows come as tuples because tuples cross to another process far more cheaply than dicts.
    """
    return [meeting_rows(fold_meeting(members, reviews)) for members, reviews in groups]


def _person_keys(extracted: Sequence[tuple[ReportState, Extraction]]) -> dict[str, str]:
    """Map each participant key to the fullest compatible key in the meeting.

    Outlets name one person differently ("J. Haldane", "Haldane", "Joren Haldane"): keys are "surname
    given-names"; a key joins a fuller one with the same surname whose given names it abbreviates, when
    exactly one such fuller key exists (two different Haldanes stay apart).
    """
    keys = sorted(
        {
            key
            for _, x in extracted
            for f in x.facts
            if f.field == "participant" and f.rule != MENTION_RULE and (key := f.attrs.get("key"))
        },
        key=lambda k: (-len(k.split()), -len(k), k),
    )
    canonical: list[str] = []
    mapping: dict[str, str] = {}
    for key in keys:
        fuller = [c for c in canonical if _abbreviates(key, c)]
        if len(fuller) == 1:
            mapping[key] = mapping.get(fuller[0], fuller[0])
        else:
            canonical.append(key)
    return mapping


def _abbreviates(short: str, full: str) -> bool:
    surname, _, given = short.partition(" ")
    full_surname, _, full_given = full.partition(" ")
    if surname != full_surname or short == full:
        return False
    parts, full_parts = given.split(), full_given.split()
    if len(parts) > len(full_parts):
        return False
    return all(f.startswith(p) for p, f in zip(parts, full_parts, strict=False))


def _affiliations(extracted: Sequence[tuple[ReportState, Extraction]]) -> frozenset[str]:
    """The organisations the meeting's participants represent.

    A meeting's organisations are the parties to it, not every body a report names in passing ("the UN
    General Assembly resolution ..."). Where no participant's organisation is known (an event without
    named people), every organisation the reports name is kept.
    """
    return frozenset(
        org
        for _, extraction in extracted
        for fact in extraction.facts
        if fact.field == "participant"
        and fact.rule != MENTION_RULE
        and (org := fact.attrs.get("organization"))
    )


def _single(chosen: dict[str, list[dict[str, Any]]], field_name: str) -> str | None:
    entries = chosen.get(field_name)
    return entries[0]["value"] if entries else None


def _merge_attrs(sourced: Sequence[SourcedFact]) -> dict[str, str | None]:
    """Attributes agreed by the sources: for each attribute, the first non-empty value in report order."""
    merged: dict[str, str | None] = {}
    for s in sorted(sourced, key=lambda s: (s.report.received_position, s.fact.start)):
        for name, value in sorted(s.fact.attrs.items()):
            if value and not merged.get(name):
                merged[name] = value
    return merged


def date_window(value: str) -> tuple[str, str] | None:
    """The (from, to) ISO dates a date correction names: "YYYY-MM-DD" or "FROM..TO" with FROM not after
    TO. None when ``value`` names no such window."""
    lo, sep, hi = value.strip().partition("..")
    try:
        start = date.fromisoformat(lo.strip())
        end = date.fromisoformat(hi.strip()) if sep else start
    except ValueError:
        return None
    if len(lo.strip()) != 10 or (sep and len(hi.strip()) != 10) or end < start:
        return None
    return start.isoformat(), end.isoformat()


def _folded(values: Iterable[str]) -> frozenset[str]:
    """The spellings of one fact, case folded: what a person's correction or removal is compared with."""
    return frozenset(v.casefold() for v in values)


def _date_sources(
    extracted: Sequence[tuple[ReportState, Extraction]], date_from: str, date_to: str
) -> list[SourcedFact]:
    """The quotes behind a meeting's date window: each event date whose window meets it (a report dated
    otherwise, in a meeting a person merged, supports an alternative, not this), and the publication
    date of each such report whose event date was reckoned from it (every rule but a stated full date).
    """
    sources: list[SourcedFact] = []
    for report, extraction in extracted:
        dates = [f for f in extraction.facts if f.field == "date"]
        events = [
            f
            for f in dates
            if f.attrs.get("of", "event") == "event"
            and (f.attrs.get("from") or "") <= date_to
            and (f.attrs.get("to") or "") >= date_from
        ]
        reckoned = any(f.rule != "explicit-date" for f in events)
        sources.extend(
            SourcedFact(fact=f, report=report)
            for f in dates  # in the report's order: where two share a span, the first names it
            if f in events or (reckoned and f.attrs.get("of") == "publication")
        )
    return sources


def _corrections_of(ids: set[str], reviews: Sequence[Review]) -> list[Review]:
    """The corrections and removals that hold for a meeting of reports ``ids``, in log order.

    A correction is about the reports its meeting held when it was made. A later split takes the report
    it names out of that: the correction stays with the reports left together, and a merge brings it
    along wherever they go. It holds for a meeting that has any report it is still about.
    """
    splits = [r for r in reviews if r.action == "split"]
    found = []
    for review in reviews:
        if review.action not in ("correct", "remove"):
            continue
        about = set(review.article_ids)
        for split in splits:
            if split.position > review.position:
                about -= set(split.article_ids)
        if about & ids:
            found.append(review)
    return found


def _apply_corrections(
    chosen: dict[str, list[dict[str, Any]]], reviews: Sequence[Review]
) -> dict[tuple[str, str], int]:
    """A person's correction replaces the chosen value (of a multi-valued field: adds it); what it
    replaced stays as an alternative. A removal drops the fact with that value. A value is compared with
    every spelling of a fact, case folded: removing "Joren Haldane" removes the person when more reports
    later make "J. Haldane" the spelling shown, and correcting to "anna berg" respells "Anna Berg" (its
    sources kept) rather than adding a second person.

    Returns the deciding review's position by (field, value) of each corrected fact. A corrected fact's
    sources are the reports that state the value it now has, if any: never those of the value it
    replaced."""
    applied: dict[tuple[str, str], int] = {}
    for review in reviews:
        if review.action not in ("correct", "remove") or not review.field_name or review.value is None:
            continue
        field_name = review.field_name
        folded = review.value.casefold()
        if review.action == "remove":
            chosen[field_name] = [e for e in chosen.get(field_name, []) if folded not in e["spellings"]]
            continue
        previous = chosen.get(field_name, [])
        same = [e for e in previous if folded in e["spellings"]]
        old_values = sorted({e["value"] for e in previous})
        attrs: dict[str, str | None] = {}
        if field_name == "date":
            window = date_window(review.value)
            if window is None:  # names no date (only versions before the check let one be recorded)
                continue
            attrs = {"from": window[0], "to": window[1]}
        sourced = [s for e in same for s in e["sourced"]]
        spellings = _folded([review.value, *(v for e in same for v in e["spellings"])])
        if field_name in ("participant", "organization", "topic"):
            # Multi-valued: a correction adds the value (or confirms it) without dropping the others.
            others = [e for e in previous if folded not in e["spellings"]]
            chosen[field_name] = [
                *others,
                {
                    "value": review.value,
                    "spellings": spellings,
                    "attrs": attrs,
                    "alternatives": [],
                    "rule": "human-correction",
                    "sourced": sourced,
                    "support": 0,
                },
            ]
        else:
            chosen[field_name] = [
                {
                    "value": review.value,
                    "spellings": spellings,
                    "attrs": attrs,
                    "alternatives": [v for v in old_values if v.casefold() != folded],
                    "rule": "human-correction",
                    "sourced": sourced,
                    "support": 0,
                }
            ]
        applied[(field_name, review.value)] = review.position
    return applied


def _status(members: Sequence[ReportState], reviews: Iterable[Review]) -> str:
    """ "confirmed" when people's decisions vouch for every report of the meeting; "needs-review" when
    they vouch for some of them only (the matcher has added a report since) or the matcher asks."""
    ids = {m.article_id for m in members}
    vouched: set[str] = set()
    for review in reviews:
        vouched |= ids & _vouched_by(review)
    if vouched:
        return "confirmed" if vouched == ids else "needs-review"
    if any(m.outcome == "review" for m in members):
        return "needs-review"
    return "merged" if len(members) > 1 else "single"


def _vouched_by(review: Review) -> frozenset[str]:
    """The reports a decision says belong together: a confirmation's, both sides of a merge, and what a
    split leaves in the meeting (not the report taken out: nobody said where that one belongs)."""
    if review.action == "confirm":
        return frozenset(review.article_ids)
    if review.action == "merge":
        return review.names
    if review.action == "split":
        return frozenset(review.others)
    return frozenset()
