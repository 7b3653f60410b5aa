"""Explanations: one readable line for the outcome and one per candidate."""

from __future__ import annotations

import pytest

from matcher import cluster
from matcher.explain import explain
from tests.test_matcher_cases import AGENCY, MINISTRY, NEXT_YEAR

ROWS = [
    {
        "description": "a merged report names its partner and the evidence",
        "input": ("r-ministry", {}),
        "expected": [
            "r-ministry: same event as r-agency",
            (
                "merged with r-agency: score 1.00 from evidence +7.33 = prior -2.50, date +0.58 (2022-03-08..2022-03-16 "
                "overlaps 2022-03-14), participants +2.50 (2 of 2 shared), organizations +0.75 (2 of 2 shared), "
                "text +4.00 (words 79% alike: 77% shared, 80% weighted by rarity), names +2.00 (10 of 10 names in the text shared)"
            ),
            "kept apart from r-next-year: dates differ: 2022-03-14 vs 2023-03-01..2023-03-20",
        ],
    },
    {
        "description": "a human decision is reported as such",
        "input": ("r-next-year", {"cannot_link": [("r-agency", "r-next-year")]}),
        "expected": [
            "r-next-year: new event",
            "kept apart from r-agency: a reviewer said they are different events",
            "kept apart from r-ministry: dates differ: 2022-03-14 vs 2023-03-01..2023-03-20",
        ],
    },
]


@pytest.mark.parametrize("row", ROWS, ids=[r["description"] for r in ROWS])
def test_explain(row: dict) -> None:
    report_id, constraints = row["input"]
    decision = cluster([MINISTRY, AGENCY, NEXT_YEAR], **constraints).decision(report_id)
    assert explain(decision) == row["expected"]
