"""What the matcher knows about one report: when, who, where, in what format, and its body text.

A profile is derived from an ``Extraction`` once and stored as JSON (``to_dict``), so the matcher never
re-reads raw articles. Everything in it is normalised so that two outlets naming the same thing agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from extract.facts import Extraction, Fact

# Body text kept per report: enough for a shingle comparison, small enough to store in a row.
TEXT_LIMIT = 3000
PROFILE_SCHEMA = 1

_NOT_WORD = re.compile(r"[^\w]+|_")
# Slavic surnames are transliterated with -ow (Turkmen, German, Polish style) or -ov (English style).
_OW_ENDING = re.compile(r"(?<=\w)(o|e)w(a?)\b")


def fold(value: str) -> str:
    """Casefold, strip diacritics and punctuation, collapse spaces: "Michèle  Coninsx" -> "michele coninsx"."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def fallback_person_key(name: str) -> str:
    """A person key when extraction gave none, in the extractor's surname-first form.

    Folded, with -ow/-ew endings spelt -ov/-ev: "Rashid Meredow" -> "meredov rashid".
    """
    tokens = _OW_ENDING.sub(r"\1v\2", fold(name)).split()
    return " ".join(tokens[-1:] + tokens[:-1])


@dataclass(frozen=True, kw_only=True)
class ReportProfile:
    """The matching signals of one report.

    ``date_from``/``date_to`` bound the event day (both None when undated); ``exact_date`` is True when they
    are the same day. ``people`` are keys of participants, ``people_weak`` keys of people only mentioned in
    passing. ``text`` is the report body, at most ``TEXT_LIMIT`` characters.
    """

    report_id: str
    date_from: date | None = None
    date_to: date | None = None
    exact_date: bool = False
    people: frozenset[str] = frozenset()
    people_weak: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    format: str | None = None
    title: str | None = None
    text: str = ""

    @property
    def dated(self) -> bool:
        return self.date_from is not None and self.date_to is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form: ISO dates, sorted lists."""
        return {
            "schema": PROFILE_SCHEMA,
            "report_id": self.report_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "exact_date": self.exact_date,
            "people": sorted(self.people),
            "people_weak": sorted(self.people_weak),
            "organizations": sorted(self.organizations),
            "places": sorted(self.places),
            "format": self.format,
            "title": self.title,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportProfile:
        return cls(
            report_id=data["report_id"],
            date_from=_parse_date(data.get("date_from")),
            date_to=_parse_date(data.get("date_to")),
            exact_date=bool(data.get("exact_date", False)),
            people=frozenset(data.get("people", ())),
            people_weak=frozenset(data.get("people_weak", ())),
            organizations=frozenset(data.get("organizations", ())),
            places=frozenset(data.get("places", ())),
            format=data.get("format"),
            title=data.get("title"),
            text=data.get("text", ""),
        )


def _parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def profile_from_extraction(
    report_id: str, extraction: Extraction, text: str, title: str | None
) -> ReportProfile:
    """Build the profile of one report from its extraction and the text the extraction was run on.

    Only the body zones of ``text`` are kept (navigation and unrelated headline lists would otherwise make
    unrelated pages look alike). A report whose extraction bounds only one side of its date is treated as
    dated on that day.
    """
    start = _parse_date(extraction.date_from)
    end = _parse_date(extraction.date_to)
    start, end = start or end, end or start
    if start is not None and end is not None and end < start:
        start, end = end, start
    participants = extraction.of("participant")
    return ReportProfile(
        report_id=report_id,
        date_from=start,
        date_to=end,
        exact_date=start is not None and start == end,
        people=frozenset(_person_key(f) for f in participants if f.rule != "mention") - {""},
        people_weak=frozenset(_person_key(f) for f in participants if f.rule == "mention") - {""},
        organizations=frozenset(_key(f) for f in extraction.of("organization") if f.rule != "mention") - {""},
        places=frozenset(fold(f.value) for f in extraction.of("place")) - {""},
        format=_single_format(extraction.of("format")),
        title=title,
        text=body_text(text, extraction.body),
    )


def body_text(text: str, zones: Iterable[tuple[int, int]]) -> str:
    """The text inside ``zones``, one zone per line, cut to ``TEXT_LIMIT`` characters."""
    return "\n".join(text[a:b] for a, b in zones)[:TEXT_LIMIT]


def _person_key(fact: Fact) -> str:
    return fact.attrs.get("key") or fallback_person_key(fact.value)


def _key(fact: Fact) -> str:
    return fact.attrs.get("key") or fold(fact.value)


def _single_format(facts: tuple[Fact, ...]) -> str | None:
    """The report's format, or None when it names none or several (an ambiguous format must not veto)."""
    formats = {fold(f.value) for f in facts if f.rule != "mention"} - {""}
    return formats.pop() if len(formats) == 1 else None
