"""Profiles: built from an extraction, and stored as JSON without loss."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.facts import Extraction, Fact
from matcher import ReportProfile, profile_from_extraction
from matcher.profile import TEXT_LIMIT, fallback_person_key

TEXT = "Home\nWorld\nMinister Anna Kovalenko met Olek Marchenkow in Tarnow by videoconference.\nLast news\n"
BODY = (11, 11 + len("Minister Anna Kovalenko met Olek Marchenkow in Tarnow by videoconference."))


def fact(field: str, value: str, rule: str = "rule", **attrs: str) -> Fact:
    return Fact(field=field, value=value, start=0, end=0, quote="", rule=rule, attrs=dict(attrs))


EXTRACTION = Extraction(
    extractor_version="test",
    date_from="2022-03-14",
    date_to="2022-03-14",
    facts=(
        fact("participant", "Anna Kovalenko", key="kovalenko anna"),
        fact("participant", "Olek Marchenkow"),
        fact("participant", "Lidia Ostrowska", rule="mention"),
        fact("organization", "Northern Rivers Commission", key="nrc"),
        fact("organization", "Amber Valley Cooperative", rule="mention", key="avc"),
        fact("place", "Tarnów"),
        fact("format", "videoconference"),
    ),
    body=(BODY,),
)

ROWS = [
    {
        "description": "given names first, diacritics and -ow ending",
        "input": "Olek Marchenków",
        "expected": "marchenkov olek",
    },
    {"description": "a single surname", "input": "Voronkova", "expected": "voronkova"},
    {"description": "feminine -owa", "input": "Lidia Ostrowa", "expected": "ostrova lidia"},
    {"description": "punctuation and case", "input": "  J.-P. DUBOIS ", "expected": "dubois j p"},
]


@pytest.mark.parametrize("row", ROWS, ids=[r["description"] for r in ROWS])
def test_fallback_person_key(row: dict) -> None:
    assert fallback_person_key(row["input"]) == row["expected"]


def test_profile_from_extraction() -> None:
    p = profile_from_extraction("r1", EXTRACTION, TEXT, "Talks")
    assert p == ReportProfile(
        report_id="r1",
        date_from=date(2022, 3, 14),
        date_to=date(2022, 3, 14),
        exact_date=True,
        people=frozenset({"kovalenko anna", "marchenkov olek"}),
        people_weak=frozenset({"ostrowska lidia"}),
        organizations=frozenset({"nrc"}),
        places=frozenset({"tarnow"}),
        format="videoconference",
        title="Talks",
        text="Minister Anna Kovalenko met Olek Marchenkow in Tarnow by videoconference.",
    )


def test_ambiguous_format_and_missing_dates() -> None:
    extraction = Extraction(
        extractor_version="test",
        date_from=None,
        date_to=None,
        facts=(fact("format", "videoconference"), fact("format", "in-person")),
        body=((0, len(TEXT) * 100),),
    )
    p = profile_from_extraction("r2", extraction, TEXT * 100, None)
    assert (p.date_from, p.date_to, p.exact_date, p.format) == (None, None, False, None)
    assert len(p.text) == TEXT_LIMIT


names = st.frozensets(st.text(min_size=1, max_size=12), max_size=4)


@given(
    st.builds(
        ReportProfile,
        report_id=st.text(min_size=1),
        date_from=st.none() | st.dates(),
        date_to=st.none() | st.dates(),
        exact_date=st.booleans(),
        people=names,
        people_weak=names,
        organizations=names,
        places=names,
        format=st.none() | st.text(),
        title=st.none() | st.text(),
        text=st.text(max_size=200),
    )
)
def test_dict_round_trip_through_json(p: ReportProfile) -> None:
    assert ReportProfile.from_dict(json.loads(json.dumps(p.to_dict()))) == p
