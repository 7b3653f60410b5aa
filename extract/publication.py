"""When and where a report was filed: "Published 02.11.2020" lines and agency datelines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.dates import find_dates, parse_published
from extract.spans import Span, lines

_PUBLISHED_LINE = re.compile(
    r"^\s*(?:published|posted|date\s+published|publication\s+date|updated)(?:\s+on)?\s*:?\s*", re.IGNORECASE
)
_DATELINE_HEAD = re.compile(
    r"^\s*(?:date\s+(?P<iso>\d{4}-\d{2}-\d{2})\s+)?"
    r"(?P<place>[A-Z][\w'\u2019\-]+(?:[ \-][A-Z][\w'\u2019\-]+){0,2})"
    r"(?:\s*,\s*(?P<country>[A-Z][\w'\u2019\-]+(?:\s[A-Z][\w'\u2019\-]+){0,2}))?\s*"
    r"(?:\(\w+\)\s*)?[,\u2013\u2014-]?\s*$"
)
_DATELINE_TAIL = re.compile(r"^\s*(?:[.\u2013\u2014:\-(]|$)")
_LINES_TO_SCAN = 8


@dataclass(frozen=True, slots=True)
class Publication:
    """What the header or dateline says about filing: the day, the filing city and their spans."""

    day: date | None
    day_span: Span | None
    rule: str
    place: str | None = None
    place_span: Span | None = None
    dateline_end: int = 0


def _published_line(text: str, candidates: list[Span]) -> Publication | None:
    for ln in candidates:
        m = _PUBLISHED_LINE.match(ln.text)
        if not m:
            continue
        for mention in find_dates(text, ln.start + m.end(), ln.end, None):
            if mention.day is not None:
                span = Span(ln.start, mention.end, text[ln.start : mention.end])
                return Publication(mention.day, span, "published-line")
    return None


def _dateline(text: str, line: Span, reference: date | None) -> Publication | None:
    mentions = find_dates(text, line.start, min(line.end, line.start + 120), reference)
    for mention in mentions:
        if mention.kind in ("year", "weekday", "relative", "month-year"):
            continue
        head = _DATELINE_HEAD.match(text[line.start : mention.start])
        if not head or not _DATELINE_TAIL.match(text[mention.end : line.end]):
            continue
        day = mention.day
        if head.group("iso"):
            day = parse_published(head.group("iso")) or day
        if day is None:
            return None
        place_start = line.start + head.start("place")
        place_end = line.start + head.end("place")
        raw_place = head.group("place")
        place = raw_place.title() if raw_place.isupper() else raw_place
        return Publication(
            day=day,
            day_span=Span(mention.start, mention.end, text[mention.start : mention.end]),
            rule="dateline",
            place=place,
            place_span=Span(place_start, place_end, text[place_start:place_end]),
            dateline_end=mention.end,
        )
    return None


def find_publication(
    text: str, body: tuple[tuple[int, int], ...], published: str | None
) -> Publication | None:
    """The filing day and place: the caller's ``published`` wins for the day, the text supplies the rest."""
    given = parse_published(published)
    first_lines = [ln for ln in lines(text) if ln.text.strip()][:_LINES_TO_SCAN]
    dateline: Publication | None = None
    starts = first_lines[:1]
    if body:
        starts += [ln for ln in first_lines if ln.start <= body[0][0] < ln.end + 1][:1]
    for ln in starts:
        dateline = _dateline(text, ln, given)
        if dateline is not None:
            break
    if given is not None:
        if dateline is not None:
            return Publication(given, None, "published-argument", dateline.place, dateline.place_span,
                               dateline.dateline_end)  # fmt: skip
        return Publication(given, None, "published-argument")
    return _published_line(text, first_lines) or dateline
