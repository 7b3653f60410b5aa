"""The values extraction returns. Every fact carries the span of text it came from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

FIELDS = ("date", "participant", "organization", "place", "format", "topic")


@dataclass(frozen=True, kw_only=True)
class Fact:
    """One fact found in a report.

    ``value`` is the canonical value (a full name, a canonical organisation name, an ISO date, a format
    label); ``attrs`` holds extra structure (a participant's role and organisation, a date's
    ``from``/``to``). ``text[start:end] == quote`` always holds for the text the fact was drawn from.
    """

    field: str
    value: str
    start: int
    end: int
    quote: str
    rule: str
    attrs: dict[str, str | None] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "rule": self.rule,
            "attrs": dict(self.attrs),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fact:
        return cls(
            field=data["field"],
            value=data["value"],
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            rule=data["rule"],
            attrs=dict(data.get("attrs") or {}),
        )


@dataclass(frozen=True, kw_only=True)
class Extraction:
    """Everything extraction found in one report.

    ``date_from``/``date_to`` (ISO dates) bound the event day; equal when the day is exact, both None when
    nothing dates the report. ``body`` lists the (start, end) zones of the text judged to be the report
    itself (navigation, breadcrumbs and unrelated headline lists excluded); facts come only from there.
    """

    extractor_version: str
    date_from: str | None
    date_to: str | None
    facts: tuple[Fact, ...]
    body: tuple[tuple[int, int], ...]

    def of(self, field_name: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.field == field_name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "extractor_version": self.extractor_version,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "facts": [f.to_dict() for f in self.facts],
            "body": [list(z) for z in self.body],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            extractor_version=data["extractor_version"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            facts=tuple(Fact.from_dict(f) for f in data["facts"]),
            body=tuple((int(a), int(b)) for a, b in data["body"]),
        )
