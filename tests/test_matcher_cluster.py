"""Clustering: table-driven scenarios, and order independence under any permutation of the input."""

from __future__ import annotations

import importlib
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import PairScore, ReportProfile, cluster, score_pair
from tests.test_matcher_cases import (
    AGENCY,
    FAIR,
    HARVEST_FAIR,
    IN_PERSON,
    MINISTRY,
    NEXT_YEAR,
    WATER_TALKS_A,
    WATER_TALKS_B,
    profile,
)

SOLO_A = profile("solo-a", date_from="2022-03-14", people={"anna kovalenko"})
# One participant in common and a week that holds the other's day: suggestive, not conclusive.
SOLO_B = profile("solo-b", date_from="2022-03-10", date_to="2022-03-16", people={"anna kovalenko"})

ROWS = [
    {
        "description": "one meeting from two outlets merges; the next year's meeting and a fair stay apart",
        "input": {"profiles": [NEXT_YEAR, FAIR, AGENCY, MINISTRY]},
        "expected": {
            "clusters": [["r-agency", "r-ministry"], ["r-fair"], ["r-next-year"]],
            "outcomes": {"r-agency": "merged", "r-ministry": "merged", "r-fair": "new", "r-next-year": "new"},
        },
    },
    {
        "description": "no chaining: A~B and B~C but A vetoes C, so C joins no group holding A",
        "input": {"profiles": [MINISTRY, AGENCY, IN_PERSON]},
        "expected": {
            "clusters": [["r-agency", "r-in-person"], ["r-ministry"]],
            "outcomes": {"r-agency": "merged", "r-in-person": "merged", "r-ministry": "review"},
            "review_with": {"r-ministry": "r-agency"},
        },
    },
    {
        "description": "a score between the thresholds goes to review, naming the other report",
        "input": {"profiles": [SOLO_A, SOLO_B]},
        "expected": {
            "clusters": [["solo-a"], ["solo-b"]],
            "outcomes": {"solo-a": "review", "solo-b": "review"},
            "review_with": {"solo-a": "solo-b", "solo-b": "solo-a"},
        },
    },
    {
        "description": "must-link wins over a date veto",
        "input": {"profiles": [MINISTRY, NEXT_YEAR], "must_link": [("r-next-year", "r-ministry")]},
        "expected": {
            "clusters": [["r-ministry", "r-next-year"]],
            "outcomes": {"r-ministry": "merged", "r-next-year": "merged"},
        },
    },
    {
        "description": "cannot-link wins over a high score, and is not offered for review",
        "input": {"profiles": [MINISTRY, AGENCY], "cannot_link": [("r-agency", "r-ministry")]},
        "expected": {
            "clusters": [["r-agency"], ["r-ministry"]],
            "outcomes": {"r-agency": "new", "r-ministry": "new"},
        },
    },
    {
        "description": "a report compatible with one member but vetoed by a must-linked one stays out",
        "input": {
            "profiles": [MINISTRY, NEXT_YEAR, AGENCY],
            "must_link": [("r-ministry", "r-next-year")],
        },
        "expected": {
            "clusters": [["r-agency"], ["r-ministry", "r-next-year"]],
            "outcomes": {"r-agency": "review", "r-ministry": "merged", "r-next-year": "merged"},
            "review_with": {"r-agency": "r-ministry"},
        },
    },
    {
        "description": "constraints naming unknown reports are ignored",
        "input": {"profiles": [MINISTRY, AGENCY], "cannot_link": [("r-ministry", "elsewhere")]},
        "expected": {
            "clusters": [["r-agency", "r-ministry"]],
            "outcomes": {"r-agency": "merged", "r-ministry": "merged"},
        },
    },
]


@pytest.mark.parametrize("row", ROWS, ids=[r["description"] for r in ROWS])
def test_cluster(row: dict) -> None:
    given_ = row["input"]
    result = cluster(
        given_["profiles"], must_link=given_.get("must_link", ()), cannot_link=given_.get("cannot_link", ())
    )
    expected = row["expected"]
    assert [list(c) for c in result.clusters] == expected["clusters"]
    assert {d.report_id: d.outcome for d in result.decisions} == expected["outcomes"]
    reviews = {d.report_id: d.review_with for d in result.decisions if d.review_with}
    assert reviews == expected.get("review_with", {})


def test_decision_lists_vetoed_candidates_with_reasons() -> None:
    decision = cluster([MINISTRY, NEXT_YEAR, AGENCY]).decision("r-next-year")
    assert decision.outcome == "new"
    assert decision.best is None
    vetoes = {c.report_id: c.veto for c in decision.candidates}
    assert vetoes["r-ministry"] == "dates differ: 2022-03-14 vs 2023-03-01..2023-03-20"


# Random components drawn from a small world, so that collisions, vetoes and ties are common.
_TEXTS = ["", WATER_TALKS_A, WATER_TALKS_B, HARVEST_FAIR]
_PEOPLE = ["anna kovalenko", "pieter vandam", "lidia ostrowska", "olek marchenkov"]


@st.composite
def profiles(draw: st.DrawFn) -> list[ReportProfile]:
    count = draw(st.integers(min_value=1, max_value=9))
    out = []
    for i in range(count):
        start = draw(st.none() | st.integers(min_value=10, max_value=16))
        width = draw(st.sampled_from([0, 0, 3, 8]))
        dates = (
            {}
            if start is None
            else {"date_from": f"2022-03-{start:02d}", "date_to": f"2022-03-{start + width:02d}"}
        )
        out.append(
            profile(
                f"r{i}",
                people=draw(st.sets(st.sampled_from(_PEOPLE), max_size=3)),
                format=draw(st.sampled_from([None, None, "videoconference", "in-person"])),
                text=draw(st.sampled_from(_TEXTS)),
                **dates,
            )
        )
    return out


@st.composite
def component_and_permutation(draw: st.DrawFn) -> tuple:
    items = draw(profiles())
    ids = [p.report_id for p in items]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    must = draw(st.lists(pair, max_size=2))
    cannot = draw(st.lists(pair, max_size=2))
    return items, must, cannot, draw(st.permutations(items))


@settings(max_examples=150, deadline=None)
@given(component_and_permutation())
def test_cluster_is_independent_of_input_order(case: tuple) -> None:
    items, must, cannot, shuffled = case
    first = cluster(items, must_link=must, cannot_link=cannot)
    second = cluster(
        shuffled,
        must_link=[(b, a) for a, b in reversed(must)],
        cannot_link=[(b, a) for a, b in reversed(cannot)],
    )
    assert first == second


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_no_cluster_holds_a_vetoed_pair(items: list[ReportProfile]) -> None:
    by_id = {p.report_id: p for p in items}
    for group in cluster(items).clusters:
        for x, y in combinations(group, 2):
            assert score_pair(by_id[x], by_id[y]).veto is None


def test_duplicate_ids_keep_one_profile() -> None:
    result = cluster([MINISTRY, replace(MINISTRY), AGENCY])
    assert result.clusters == (("r-agency", "r-ministry"),)


def test_conflicting_profiles_for_one_report_are_refused() -> None:
    with pytest.raises(ValueError, match="r-ministry"):
        cluster([MINISTRY, replace(MINISTRY, text="other")])


@settings(max_examples=100, deadline=None)
@given(profiles(), st.data())
def test_a_memo_kept_across_components_changes_no_decision(
    items: list[ReportProfile], data: st.DataObject
) -> None:
    """A memo filled by earlier clusterings (of overlapping components) gives the same result as none."""
    memo: dict[tuple[str, str], PairScore] = {}
    for _ in range(3):
        part = data.draw(st.lists(st.sampled_from(items), min_size=1, unique_by=lambda p: p.report_id))
        assert cluster(part, memo=memo) == cluster(part)
    ids = sorted(p.report_id for p in items)
    assert set(memo) <= set(combinations(ids, 2))  # lower id first


def test_a_memo_spares_the_pairs_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    scoring = importlib.import_module("matcher.cluster")  # the package's ``cluster`` is the function
    scored: list[tuple[str, str]] = []

    def counting(a: ReportProfile, b: ReportProfile, config: object) -> object:
        scored.append((a.report_id, b.report_id))
        return score_pair(a, b)

    monkeypatch.setattr(scoring, "score_pair", counting)
    memo: dict = {}  # type: ignore[type-arg]
    cluster([MINISTRY, AGENCY], memo=memo)
    assert scored == [("r-agency", "r-ministry")]
    cluster([MINISTRY, AGENCY, IN_PERSON], memo=memo)
    # Only the new report's pairs are scored: the first pair comes from the memo.
    assert sorted(scored[1:]) == [("r-agency", "r-in-person"), ("r-in-person", "r-ministry")]
