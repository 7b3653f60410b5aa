"""Pair scores: table-driven rows of two profiles and what the score must say about them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from matcher import DEFAULT_CONFIG, score_pair
from tests.test_matcher_cases import AGENCY, FAIR, IN_PERSON, MINISTRY, NEXT_YEAR, WATER_TALKS_A, profile

MERGE = DEFAULT_CONFIG.merge_threshold
REVIEW = DEFAULT_CONFIG.review_threshold

ROWS = [
    {
        "description": "one meeting, exact day from one outlet, a range from the other: auto-merge",
        "input": (MINISTRY, AGENCY),
        "expected": {"veto": None, "min": MERGE},
    },
    {
        "description": "same people a year later with near-identical text: dates veto",
        "input": (MINISTRY, NEXT_YEAR),
        "expected": {"veto": "dates differ: 2022-03-14 vs 2023-03-01..2023-03-20", "max": 0.0},
    },
    {
        "description": "same day, same people, different format: format veto",
        "input": (MINISTRY, IN_PERSON),
        "expected": {"veto": "format differs: videoconference vs in-person", "max": 0.0},
    },
    {
        "description": "same day but different people and text: below review",
        "input": (MINISTRY, FAIR),
        "expected": {"veto": None, "max": REVIEW},
    },
    {
        "description": "two different exact dates veto even with everything else equal",
        "input": (
            MINISTRY,
            replace(
                MINISTRY,
                report_id="x",
                date_from=MINISTRY.date_to.replace(day=15),
                date_to=MINISTRY.date_to.replace(day=15),
            ),
        ),
        "expected": {"veto": "dates differ: 2022-03-14 vs 2022-03-15", "max": 0.0},
    },
    {
        "description": "a gap of days between two ranges vetoes",
        "input": (
            profile("a", date_from="2022-03-01", date_to="2022-03-05"),
            profile("b", date_from="2022-03-07", date_to="2022-03-09"),
        ),
        "expected": {"veto": "dates differ: 2022-03-01..2022-03-05 vs 2022-03-07..2022-03-09", "max": 0.0},
    },
    {
        "description": "nothing known on either side is neutral: only the prior speaks, no merge",
        "input": (profile("a"), profile("b")),
        "expected": {"veto": None, "max": REVIEW},
    },
    {
        "description": "undated twin with the same people and text: neutral date, still merged",
        "input": (MINISTRY, replace(AGENCY, date_from=None, date_to=None)),
        "expected": {"veto": None, "min": MERGE},
    },
    {
        "description": "same day and people but no text on one side: merged on who and when",
        "input": (MINISTRY, replace(MINISTRY, report_id="bare", text="", format=None)),
        "expected": {"veto": None, "min": MERGE},
    },
    {
        "description": "same day, one shared person and nothing else: review, not merge",
        "input": (
            profile("a", date_from="2022-03-14", people={"anna kovalenko"}),
            profile("b", date_from="2022-03-14", people={"anna kovalenko"}),
        ),
        "expected": {"veto": None, "min": REVIEW, "max": MERGE},
    },
    {
        "description": "name spellings -ow/-ov and a missing first name still match",
        "input": (
            profile("a", date_from="2022-03-14", people={"olek marchenkow", "anna kovalenko"}),
            profile("b", date_from="2022-03-14", people={"olek marchenkov", "kovalenko"}),
        ),
        "expected": {"veto": None, "min": MERGE},
    },
    {
        "description": "both name a place and the places differ: pushed below review",
        "input": (
            profile("a", date_from="2022-03-14", people={"anna kovalenko"}, places={"tarnow"}),
            profile("b", date_from="2022-03-14", people={"anna kovalenko"}, places={"silverport"}),
        ),
        "expected": {"veto": None, "max": REVIEW},
    },
    {
        "description": "identical text alone with conflicting dates never scores",
        "input": (
            profile("a", date_from="2020-01-01", text=WATER_TALKS_A),
            profile("b", date_from="2021-01-01", text=WATER_TALKS_A),
        ),
        "expected": {"veto": "dates differ: 2020-01-01 vs 2021-01-01", "max": 0.0},
    },
]


@pytest.mark.parametrize("row", ROWS, ids=[r["description"] for r in ROWS])
def test_score_pair(row: dict) -> None:
    a, b = row["input"]
    result = score_pair(a, b)
    expected = row["expected"]
    assert result.veto == expected["veto"]
    assert expected.get("min", 0.0) <= result.score
    if "max" in expected:
        assert result.score < expected["max"] or result.score == expected["max"] == 0.0


@pytest.mark.parametrize("row", ROWS, ids=[r["description"] for r in ROWS])
def test_score_is_symmetric(row: dict) -> None:
    a, b = row["input"]
    forward, backward = score_pair(a, b), score_pair(b, a)
    assert forward.score == pytest.approx(backward.score)
    assert dict(forward.features) == pytest.approx(dict(backward.features))


def test_missing_information_is_neutral() -> None:
    bare = profile("bare", date_from="2022-03-14")
    result = score_pair(MINISTRY, bare)
    assert {k: v for k, v in result.features.items() if k not in {"bias", "date"}} == {
        "participants": 0.0,
        "organizations": 0.0,
        "place": 0.0,
        "format": 0.0,
        "text": 0.0,
        "names": 0.0,
        "years": 0.0,
        "figures": 0.0,
    }


def test_mentions_count_less_than_participants() -> None:
    strong = profile("a", date_from="2022-03-14", people={"anna kovalenko", "pieter vandam"})
    mentioned = profile("b", date_from="2022-03-14", people_weak={"anna kovalenko", "pieter vandam"})
    both = profile("c", date_from="2022-03-14", people={"anna kovalenko", "pieter vandam"})
    assert (
        0
        < score_pair(strong, mentioned).features["participants"]
        < score_pair(strong, both).features["participants"]
    )
