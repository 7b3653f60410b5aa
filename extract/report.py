"""Public entry point: one report's text → an ``Extraction`` (facts with spans, event dates, body zones)."""

from __future__ import annotations

from datetime import date

from extract.dates import find_dates
from extract.facts import Extraction, Fact
from extract.formats import find_format
from extract.intervals import SentenceIndex
from extract.lexicon import MEETING_CUE
from extract.meeting_date import EventDate, resolve_event_date
from extract.organizations import OrgMention, find_organizations
from extract.people import PersonMention, find_people
from extract.places import find_place
from extract.publication import Publication, find_publication
from extract.spans import Span, sentences
from extract.substrings import SubstringFinder
from extract.topics import find_topics
from extract.zones import body_zones

EXTRACTOR_VERSION = "extract-1.3"  # bump when rules change


def extract_report(text: str, *, published: str | None, title: str | None = None) -> Extraction:
    """Extract dates, participants, organisations, place, format and topics from one report.

    ``published`` is an ISO date or datetime (or None: the text's "Published" line or dateline is used).
    ``title`` is accepted for callers that have it; facts always point into ``text``, so it adds no facts.
    Facts come only from the body zones, except the publication day, which may sit in the page header.
    """
    del title  # kept in the signature so callers need not change when titles start to count
    body = body_zones(text)
    sents = [s for a, b in body for s in sentences(text, a, b)]
    publication = find_publication(text, body, published)
    event = resolve_event_date(text, sents, publication)
    orgs, acronyms = find_organizations(text, sents)
    people = find_people(text, sents, acronyms.titles)
    background = _background_sentences(text, sents, event, publication)
    fmt = find_format(text, sents)
    facts: list[Fact] = [
        *_date_facts(text, publication, event),
        *_participant_facts(text, people, orgs, sents, background),
        *(_fact("organization", o.value, Span(o.start, o.end, text[o.start : o.end]), o.rule, {"key": o.key})
          for o in orgs),
        *_format_and_place(text, sents, fmt, background, publication),
        *(_fact("topic", label, span, rule) for label, span, rule in find_topics(text, sents)),
    ]  # fmt: skip
    return Extraction(
        extractor_version=EXTRACTOR_VERSION,
        date_from=event.date_from.isoformat() if event else None,
        date_to=event.date_to.isoformat() if event else None,
        facts=tuple(facts),
        body=body,
    )


def _fact(field: str, value: str, span: Span, rule: str, attrs: dict[str, str | None] | None = None) -> Fact:
    return Fact(
        field=field,
        value=value,
        start=span.start,
        end=span.end,
        quote=span.text,
        rule=rule,
        attrs=attrs or {},
    )


def _date_facts(text: str, publication: Publication | None, event: EventDate | None) -> list[Fact]:
    out: list[Fact] = []
    if publication is not None and publication.day is not None and publication.day_span is not None:
        day = publication.day.isoformat()
        attrs: dict[str, str | None] = {"from": day, "to": day, "of": "publication"}
        out.append(_fact("date", day, publication.day_span, publication.rule, attrs))
    if event is not None:
        lo, hi = event.date_from.isoformat(), event.date_to.isoformat()
        # Without a text span (day given by the caller) the fact points at an empty span at 0.
        span = event.span or Span(0, 0, "")
        value = lo if lo == hi else f"{lo}/{hi}"
        out.append(_fact("date", value, span, event.rule, {"from": lo, "to": hi, "of": "event"}))
    return out


def _background_sentences(
    text: str, sents: list[Span], event: EventDate | None, publication: Publication | None
) -> set[int]:
    """Starts of sentences dated to another time than the event ("... in June 2017 ... attended by X")."""
    if event is None:
        return set()
    years = {event.date_from.year, event.date_to.year}
    reference: date | None = publication.day if publication else None
    out: set[int] = set()
    for s in sents:
        for mention in find_dates(text, s.start, s.end, reference):
            if publication and publication.dateline_end and mention.start < publication.dateline_end:
                continue
            if mention.year is not None and mention.year not in years and mention.kind != "weekday":
                out.add(s.start)
    return out


def _participant_facts(
    text: str, people: list[PersonMention], orgs: list[OrgMention], sents: list[Span], background: set[int]
) -> list[Fact]:
    """One fact per mention; "meeting-party" when some mention sits in an event sentence of the event's
    time, "mention" for people only named as background."""
    party: set[str] = set()
    roles: dict[str, str] = {}
    sentence_of = SentenceIndex(sents)
    # Per sentence start: one search for a cue, not one per person named in a long sentence.
    cued: dict[int, bool] = {}
    for p in people:
        sentence = sentence_of.at(p.span.start)
        if sentence and sentence.start not in background:
            if sentence.start not in cued:
                cued[sentence.start] = bool(MEETING_CUE.search(sentence.text))
            if cued[sentence.start]:
                party.add(p.key)
        if p.role and p.key not in roles:
            roles[p.key] = p.role
    out: list[Fact] = []
    organization_in = _RoleOrganizations(orgs, text)
    for p in people:
        role = roles.get(p.key)
        attrs: dict[str, str | None] = {
            "role": role,
            "organization": organization_in(role),
            "key": p.key,
            "found_by": p.trigger,
        }
        rule = "meeting-party" if p.key in party else "mention"
        out.append(_fact("participant", p.name, p.span, rule, attrs))
    return out


class _RoleOrganizations:
    """The organisation named inside a role phrase, e.g. "Head of the UN Counter-Terrorism Office".

    Of the mentions (but "UN") whose quote occurs in the role, a minister title wins, then the longest
    mention, then the first in ``orgs``. Built once per report: a long report has many mentions and roles.
    """

    def __init__(self, orgs: list[OrgMention], text: str) -> None:
        # Per distinct quote, the value of its best-ranked mention.
        self._best: dict[str, tuple[tuple[bool, int, int], str]] = {}
        for i, o in enumerate(orgs):
            if o.key == "un":
                continue
            rank = (o.rule != "minister-title", -(o.end - o.start), i)
            quote = text[o.start : o.end]
            if quote not in self._best or rank < self._best[quote][0]:
                self._best[quote] = (rank, o.value)
        self._quotes = SubstringFinder(self._best)
        self._memo: dict[str, str | None] = {}

    def __call__(self, role: str | None) -> str | None:
        if not role:
            return None
        if role not in self._memo:
            ranked = [self._best[quote] for quote in self._quotes.found_in(role)]
            self._memo[role] = min(ranked)[1] if ranked else None
        return self._memo[role]


def _format_and_place(
    text: str,
    sents: list[Span],
    fmt: tuple[str, Span] | None,
    background: set[int],
    publication: Publication | None,
) -> list[Fact]:
    out: list[Fact] = []
    if fmt is not None:
        out.append(_fact("format", fmt[0], fmt[1], "format-cue"))
    if fmt is not None and fmt[0] != "in-person":
        return out  # a remote event has no single place; the dateline is only the filing city
    place = find_place(text, sents, background)
    if place is not None:
        name, span, country, rule = place
        out.append(_fact("place", name, span, rule, {"country": country}))
    elif fmt is not None and publication is not None and publication.place and publication.place_span:
        out.append(_fact("place", publication.place, publication.place_span, "dateline", {"country": None}))
    return out
