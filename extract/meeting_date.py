"""The day (or the range of days) on which the reported event happened.

Preference order: a day stated in a sentence about the event; a relative day ("on Tuesday", "Oct. 15")
resolved against the publication day; a multi-day visit ending at the dateline; a window of
``UNDATED_LOOKBACK_DAYS`` before publication. Dates of other things ("adopted in December 2020") are
month/year expressions or sit in sentences without an event cue, and are not taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.dates import DateMention, find_dates, shift
from extract.lexicon import MEETING_CUE
from extract.publication import Publication
from extract.spans import Span

UNDATED_LOOKBACK_DAYS = 30
_LEAD_SENTENCES = 2
_DAY_KINDS = {"iso": "explicit-date", "numeric": "explicit-date", "mdy": "explicit-date",
              "dmy": "explicit-date", "day-range": "explicit-date", "md": "relative-date",
              "dm": "relative-date", "weekday": "relative-weekday", "relative": "relative-day"}  # fmt: skip
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_MULTI_DAY = re.compile(r"\b(?P<n>two|three|four|five|[2-5])[- ]day\b", re.IGNORECASE)
_NTH_DAY = re.compile(r"\b(?P<nth>first|second|third|fourth|fifth) day\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class EventDate:
    """The resolved range, the rule that gave it, and the text it rests on (None: no text span)."""

    date_from: date
    date_to: date
    rule: str
    span: Span | None


def _candidates(
    text: str, sentences: list[Span], reference: date | None, skip: tuple[int, int]
) -> list[tuple[int, int, DateMention]]:
    scored: list[tuple[int, int, DateMention]] = []
    for index, sentence in enumerate(sentences):
        has_cue = bool(MEETING_CUE.search(sentence.text))
        for mention in find_dates(text, sentence.start, sentence.end, reference):
            if mention.day is None or mention.kind not in _DAY_KINDS:
                continue
            if skip[0] <= mention.start < skip[1]:
                continue
            if reference is not None and mention.day > reference:
                continue
            preceded_by_on = (
                text[max(sentence.start, mention.start - 4) : mention.start].lower().endswith("on ")
            )
            lead = index < _LEAD_SENTENCES
            if not (has_cue or (lead and preceded_by_on)):
                continue
            score = 2 * has_cue + lead + preceded_by_on
            scored.append((-score, mention.start, mention))
    return sorted(scored, key=lambda c: (c[0], c[1]))


def _multi_day(text: str, sentences: list[Span]) -> tuple[int, Span] | None:
    best: tuple[int, Span] | None = None
    for sentence in sentences:
        for m in _MULTI_DAY.finditer(text, sentence.start, sentence.end):
            n = _COUNTS[m.group("n").lower()]
            if best is None or n > best[0]:
                best = (n, Span(m.start(), m.end(), m.group(0)))
        for m in _NTH_DAY.finditer(text, sentence.start, sentence.end):
            n = _ORDINALS[m.group("nth").lower()]
            if n >= 2 and (best is None or n > best[0]):
                best = (n, Span(m.start(), m.end(), m.group(0)))
    return best


def resolve_event_date(text: str, sentences: list[Span], publication: Publication | None) -> EventDate | None:
    """The event's date range from body ``sentences``; None when nothing in or around the text dates it."""
    reference = publication.day if publication else None
    # The dateline's own date is the filing day, not evidence about the event.
    skip = (0, publication.dateline_end if publication else 0)
    candidates = _candidates(text, sentences, reference, skip)
    multi = _multi_day(text, sentences)
    if candidates:
        mention = candidates[0][2]
        if mention.day is None:
            return None
        last = mention.last_day or mention.day
        if multi is not None and last == mention.day:
            last = shift(mention.day, multi[0] - 1)
            if reference is not None:
                last = min(last, reference)
        span = Span(mention.start, mention.end, text[mention.start : mention.end])
        return EventDate(mention.day, last, _DAY_KINDS[mention.kind], span)
    if reference is None or publication is None:
        return None
    if multi is not None:
        return EventDate(shift(reference, 1 - multi[0]), reference, "multi-day", multi[1])
    start = shift(reference, -UNDATED_LOOKBACK_DAYS)
    return EventDate(start, reference, "publication-window", publication.day_span)
