"""Date expressions in English report text, with offsets, resolved against a reference day when partial."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from extract.intervals import OverlapIndex

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH = rf"(?P<mon>{_MON}|{_MON.upper()})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d{2})"

# Most specific first: a later pattern never claims text an earlier one matched.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])")),
    ("numeric", re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<year>\d{4})(?![\d])")),
    (
        "day-range",
        re.compile(rf"\b(?P<d>\d{{1,2}})\s*[-\u2013]\s*(?P<d2>\d{{1,2}})\s+{_MONTH}(?:,?\s+{_YEAR})?\b"),
    ),
    ("mdy", re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD}(?:\s*,\s*|\s+){_YEAR}\b")),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b")),
    ("month-year", re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b")),
    ("md", re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}}){_ORD}\b(?![,.]?\d)")),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+{_MONTH}(?=\W|$)")),
    ("year", re.compile(rf"(?<![\d.,/])\b{_YEAR}\b(?![.,/]\d)")),
    ("weekday", re.compile(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relative", re.compile(r"\b(?P<rel>yesterday|today|the day before)\b", re.IGNORECASE)),
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in the text.

    ``day`` is set when the expression names a calendar day (or it could be resolved against the reference
    day); ``year`` is set whenever a year is known; ``kind`` is the pattern name.
    """

    start: int
    end: int
    kind: str
    day: date | None
    last_day: date | None
    year: int | None
    month: int | None


def parse_published(value: str | None) -> date | None:
    """An ISO date or datetime string as a date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def shift(day: date, days: int) -> date:
    """``day`` moved by ``days``, clamped to the calendar's ends instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _safe_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def most_recent(month: int, day: int, reference: date) -> date | None:
    """The latest date with this month and day that is on or before ``reference``."""
    for year in (reference.year, reference.year - 1):
        candidate = _safe_day(year, month, day)
        if candidate is not None and candidate <= reference:
            return candidate
    return None


def _month(raw: str) -> int:
    return MONTHS[raw[:3].lower()]


_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")  # fmt: skip


def _slashed(text: str, first: int, second: int) -> tuple[int | None, str]:
    """(month, day) of "a/b/yyyy": American month first, British day first, so only a number above 12
    decides; when both could be months, a month the text names decides, else neither (month None)."""
    if first > 12 >= second:
        return second, str(first)
    if second > 12 >= first or first == second:
        return first, str(second)
    named = {n for n in (first, second) if n in _months_named_in(text)}
    if len(named) == 1:
        month = named.pop()
        return month, str(second if month == first else first)
    return None, str(second)


@functools.lru_cache(maxsize=8)  # a few reports at once: the feeds daemon extracts in several threads
def _months_named_in(text: str) -> frozenset[int]:
    """The months the whole report names (capitalised: the month, not the verb "may"), in one pass."""
    return frozenset(_MONTH_NAMES.index(m.group().lower()) + 1 for m in _ANY_MONTH.finditer(text))


def _month_name(month: int) -> str:
    name = _MONTH_NAMES[month - 1]
    # Capitalised: the month, not the verb "may".
    return rf"\b(?:{name.capitalize()}|{name.upper()})\b"


_ANY_MONTH = re.compile("|".join(_month_name(n) for n in range(1, 13)))


def _mention(kind: str, m: re.Match[str], reference: date | None) -> DateMention | None:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    month = int(groups["m"]) if groups.get("m") else _month(groups["mon"]) if groups.get("mon") else None
    day: date | None = None
    last: date | None = None
    if kind == "numeric" and "/" in m.group(0):
        month, groups["d"] = _slashed(m.string, int(groups["d"]), month or 0)
    if kind in ("iso", "numeric", "mdy", "dmy", "md", "dm", "day-range"):
        if month is None or not 1 <= month <= 12:
            return None
        d = int(groups["d"])
        if year is not None:
            day = _safe_day(year, month, d)
        elif reference is not None:
            day = most_recent(month, d, reference)
        if kind == "day-range" and day is not None:
            last = _safe_day(day.year, month, int(groups["d2"]))
        if day is None and year is None and reference is None:
            return DateMention(m.start(), m.end(), kind, None, None, None, month)
        if day is None:
            return None
    elif kind == "weekday" and reference is not None:
        wd = WEEKDAYS.index(groups["wd"].lower())
        day = shift(reference, -((reference.weekday() - wd) % 7))
    elif kind == "relative" and reference is not None:
        rel = groups["rel"].lower()
        day = reference if rel == "today" else shift(reference, -1)
    if day is not None and year is None:
        year = day.year
    return DateMention(m.start(), m.end(), kind, day, last or day, year, month)


def find_dates(text: str, start: int, end: int, reference: date | None) -> list[DateMention]:
    """Date expressions in ``text[start:end]``, left to right; partial ones resolved against ``reference``."""
    taken = OverlapIndex(())
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text, start, end):
            if taken.overlaps(m.start(), m.end()):
                continue
            if kind in ("md", "dm", "month-year") and not m.group("mon")[0].isupper():
                continue
            mention = _mention(kind, m, reference)
            if mention is not None:
                taken.add(m.start(), m.end())
                found.append(mention)
    return sorted(found, key=lambda d: d.start)
