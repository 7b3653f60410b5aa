"""The five sample reports against their ground truth (read from the shared seeds folder, never copied)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extract.facts import Extraction
from extract.names import person_key
from extract.organizations import org_key
from extract.report import extract_report

SEEDS = Path("/work/shared/seeds")
EXPECTED: dict[str, Any] = json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))
CASES = [(report, meeting) for meeting in EXPECTED["meetings"] for report in meeting["reports"]]
IDS = [report[:3] for report, _ in CASES]


def _extract(report: str) -> tuple[str, Extraction]:
    text = (SEEDS / report).read_text(encoding="utf-8")
    return text, extract_report(text, published=None)


def _states_day(extraction: Extraction) -> bool:
    return any(f.attrs.get("of") == "event" and f.rule == "explicit-date" for f in extraction.of("date"))


@pytest.mark.parametrize(("report", "meeting"), CASES, ids=IDS)
def test_date_range_holds_the_meeting_day(report: str, meeting: dict[str, Any]) -> None:
    _, x = _extract(report)
    lo, hi = meeting.get("date_range") or [meeting["date"], meeting["date"]]
    assert x.date_from is not None
    assert x.date_to is not None
    assert x.date_from <= lo <= hi <= x.date_to
    assert (date.fromisoformat(x.date_to) - date.fromisoformat(x.date_from)).days <= 31


@pytest.mark.parametrize(("report", "meeting"), [c for c in CASES if "date" in c[1]], ids=["000", "001"])
def test_exact_date(report: str, meeting: dict[str, Any]) -> None:
    _, x = _extract(report)
    if not _states_day(x):
        pytest.xfail("the text gives only its publication day; the exact day is known from the other report")
    assert x.date_from == x.date_to == meeting["date"]


@pytest.mark.parametrize(("report", "meeting"), CASES, ids=IDS)
def test_participants(report: str, meeting: dict[str, Any]) -> None:
    text, x = _extract(report)
    found = {f.attrs["key"] for f in x.of("participant") if f.rule == "meeting-party"}
    # A participant the report never names (001 names only one side) cannot be extracted from it.
    named = {person_key(n) for n in meeting["participants"] if person_key(n).split()[0] in person_key(text)}
    assert found == named


@pytest.mark.parametrize(("report", "meeting"), CASES, ids=IDS)
def test_organizations(report: str, meeting: dict[str, Any]) -> None:
    _, x = _extract(report)
    keys = {f.attrs["key"] for f in x.of("organization")}
    assert {org_key(name) for name in meeting["organizations"]} <= keys


def test_name_variants_share_keys() -> None:
    for canonical, variants in EXPECTED["name_variants"].items():
        if canonical.isupper():
            # A misspelt acronym ("UNCTU") resolves only inside a report that defines it; see 002.
            spelled_out = [v for v in variants if not v.isupper()]
            assert {org_key(v) for v in spelled_out} == {org_key(canonical)}
        else:
            assert {person_key(v).split()[0] for v in variants} == {person_key(canonical).split()[0]}


@pytest.mark.parametrize(("report", "meeting"), CASES, ids=IDS)
def test_format(report: str, meeting: dict[str, Any]) -> None:
    _, x = _extract(report)
    formats = [f.value for f in x.of("format")]
    assert (formats[0] if formats else None) == meeting["format"]


@pytest.mark.parametrize(("report", "meeting"), CASES, ids=IDS)
def test_location(report: str, meeting: dict[str, Any]) -> None:
    _, x = _extract(report)
    if "location" in meeting:
        assert [f.value for f in x.of("place")][:1] == [meeting["location"]]


@pytest.mark.parametrize(("report", "meeting"), CASES, ids=IDS)
def test_every_quote_is_its_span(report: str, meeting: dict[str, Any]) -> None:
    text, x = _extract(report)
    assert x.facts
    for fact in x.facts:
        assert text[fact.start : fact.end] == fact.quote


def test_no_fact_from_navigation_or_headline_list() -> None:
    report = next(r for r, _ in CASES if r.startswith("001"))
    text, x = _extract(report)
    nav_end = text.index("Published")
    list_start = text.index("Last news")
    for fact in x.facts:
        assert not fact.start < nav_end, fact
        assert fact.end <= list_start, fact
    assert all(b <= list_start and a >= nav_end for a, b in x.body)
    assert [f.rule for f in x.of("date") if f.attrs.get("of") == "publication"] == ["published-line"]


def test_byline_author_is_not_a_participant() -> None:
    report = next(r for r, _ in CASES if r.startswith("002"))
    text, x = _extract(report)
    byline = text.index("By ")
    assert all(f.start > byline + 20 for f in x.of("participant"))
