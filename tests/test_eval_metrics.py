"""Metrics against hand-computed values, degenerate groupings and properties."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.errors import ClusteringMismatchError
from evaluation.metrics import bcubed, false_merge_rate, pairwise, score

GOLD = [{"a", "b", "c"}, {"d", "e"}]

# Hand computations (B-cubed: per item |pred ∩ gold| / |pred| for precision, / |gold| for recall):
# split_and_leak: a,b -> 1, 1 ; c -> 1/3 ; d,e -> 2/3  => P = 11/15; recall symmetric => 11/15.
#   pairs predicted {ab, cd, ce, de}, gold {ab, ac, bc, de}, both {ab, de} => 2/4, 2/4.
# singletons on GOLD_4 = [{a,b,c},{d}]: P = 1, R = (3 * 1/3 + 1) / 4 = 1/2, F1 = 2/3; no pair claimed.
# one cluster on GOLD_4: P = (3 * 3/4 + 1/4) / 4 = 5/8, R = 1, F1 = 10/13; pairs 3 of 6 right.
GOLD_4 = [{"a", "b", "c"}, {"d"}]
CASES: list[dict[str, Any]] = [
    {
        "description": "perfect",
        "predicted": [{"a", "b", "c"}, {"d", "e"}],
        "gold": GOLD,
        "expected": {"bcubed": (1.0, 1.0, 1.0), "pairwise": (1.0, 1.0, 1.0)},
    },
    {
        "description": "split_and_leak",
        "predicted": [{"a", "b"}, {"c", "d", "e"}],
        "gold": GOLD,
        "expected": {"bcubed": (11 / 15, 11 / 15, 11 / 15), "pairwise": (0.5, 0.5, 0.5)},
    },
    {
        "description": "all_singletons",
        "predicted": [{"a"}, {"b"}, {"c"}, {"d"}],
        "gold": GOLD_4,
        "expected": {"bcubed": (1.0, 0.5, 2 / 3), "pairwise": (1.0, 0.0, 0.0)},
    },
    {
        "description": "one_big_cluster",
        "predicted": [{"a", "b", "c", "d"}],
        "gold": GOLD_4,
        "expected": {"bcubed": (5 / 8, 1.0, 10 / 13), "pairwise": (0.5, 1.0, 2 / 3)},
    },
    {
        "description": "gold_all_singletons_predicted_singletons",
        "predicted": [{"a"}, {"b"}],
        "gold": [{"b"}, {"a"}],
        "expected": {"bcubed": (1.0, 1.0, 1.0), "pairwise": (1.0, 1.0, 1.0)},
    },
    {
        "description": "empty",
        "predicted": [],
        "gold": [],
        "expected": {"bcubed": (1.0, 1.0, 1.0), "pairwise": (1.0, 1.0, 1.0)},
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["description"] for c in CASES])
def test_bcubed_and_pairwise(case: dict[str, Any]) -> None:
    assert bcubed(case["predicted"], case["gold"]) == pytest.approx(case["expected"]["bcubed"])
    assert pairwise(case["predicted"], case["gold"]) == pytest.approx(case["expected"]["pairwise"])


def test_score_collects_everything() -> None:
    scores = score(
        [{"a", "b"}, {"c", "d", "e"}],
        GOLD,
        hard_negative_pairs=[("c", "d"), ("a", "d")],
        review={"e"},
    )
    assert scores.bcubed_f1 == pytest.approx(11 / 15)
    assert scores.pairwise_f1 == pytest.approx(0.5)
    assert (scores.predicted_groups, scores.gold_groups, scores.items) == (2, 2, 5)
    assert scores.hard_negative_pairs == 2
    assert scores.hard_negative_false_merge_rate == pytest.approx(0.5)
    assert scores.review_share == pytest.approx(0.2)


def test_no_hard_negatives_is_not_a_rate() -> None:
    assert false_merge_rate([{"a", "b"}], []) is None
    assert score([{"a"}], [{"a"}]).hard_negative_false_merge_rate is None


@pytest.mark.parametrize(
    ("predicted", "gold", "hard", "review"),
    [
        pytest.param([{"a"}], [{"a"}, {"b"}], [], [], id="item_missing_from_prediction"),
        pytest.param([{"a", "b"}, {"b"}], [{"a", "b"}], [], [], id="item_in_two_clusters"),
        pytest.param([{"a"}], [{"a"}], [("a", "z")], [], id="unknown_hard_negative"),
        pytest.param([{"a"}], [{"a"}], [], ["z"], id="unknown_review"),
    ],
)
def test_inconsistent_inputs_raise(
    predicted: list[set[str]], gold: list[set[str]], hard: list[tuple[str, str]], review: list[str]
) -> None:
    with pytest.raises(ClusteringMismatchError):
        score(predicted, gold, hard_negative_pairs=hard, review=review)


def _clustering(labels: list[int]) -> list[set[Hashable]]:
    groups: dict[int, set[Hashable]] = {}
    for item, label in enumerate(labels):
        groups.setdefault(label, set()).add(item)
    return list(groups.values())


labels = st.lists(st.integers(0, 6), min_size=1, max_size=30)


@given(labels)
def test_perfect_prediction_scores_one(gold_labels: list[int]) -> None:
    gold = _clustering(gold_labels)
    scores = score(list(reversed(gold)), gold)
    assert (scores.bcubed_f1, scores.pairwise_f1) == (1.0, 1.0)
    assert scores.predicted_groups == scores.gold_groups


@given(st.data())
def test_scores_stay_in_unit_interval(data: st.DataObject) -> None:
    gold_labels = data.draw(labels)
    predicted_labels = data.draw(
        st.lists(st.integers(0, 6), min_size=len(gold_labels), max_size=len(gold_labels))
    )
    scores = score(_clustering(predicted_labels), _clustering(gold_labels))
    for value in (scores.bcubed_precision, scores.bcubed_recall, scores.bcubed_f1, scores.pairwise_f1):
        assert 0.0 <= value <= 1.0
