"""Scores for a predicted grouping of items against a gold grouping.

Every metric is computed from the contingency counts (predicted cluster by gold group), so scoring is
linear in the number of items and works for a million of them. Conventions for the degenerate cases,
chosen so that "claim nothing" is not rewarded twice:

- pairwise precision is 1.0 when the prediction puts no two items together (it claimed no wrong pair),
  pairwise recall is 1.0 when gold has no pair to find; F1 is 0.0 when precision + recall is 0;
- the hard-negative false-merge rate is ``None`` when there are no hard-negative pairs to test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from evaluation.errors import ClusteringMismatchError

Clusters = Sequence[Collection[Hashable]]


@dataclass(frozen=True, kw_only=True)
class Scores:
    """All the numbers for one predicted grouping; B-cubed F1 is the headline."""

    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    predicted_groups: int
    gold_groups: int
    items: int
    hard_negative_pairs: int
    hard_negative_false_merge_rate: float | None
    review_share: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def f1(precision: float, recall: float) -> float:
    """Harmonic mean; 0.0 when both are 0."""
    total = precision + recall
    return 0.0 if total == 0 else 2 * precision * recall / total


def cluster_index(clusters: Clusters, *, name: str) -> dict[Hashable, int]:
    """Map each item to the position of its cluster; raise if an item is in two clusters."""
    index: dict[Hashable, int] = {}
    for position, cluster in enumerate(clusters):
        for item in cluster:
            if item in index:
                raise ClusteringMismatchError(f"{item!r} is in two {name} clusters")
            index[item] = position
    return index


def _aligned(predicted: Clusters, gold: Clusters) -> tuple[dict[Hashable, int], dict[Hashable, int]]:
    by_prediction = cluster_index(predicted, name="predicted")
    by_gold = cluster_index(gold, name="gold")
    if by_prediction.keys() != by_gold.keys():
        extra = sorted(map(repr, by_prediction.keys() - by_gold.keys()))[:3]
        missing = sorted(map(repr, by_gold.keys() - by_prediction.keys()))[:3]
        raise ClusteringMismatchError(f"only predicted: {extra or 'none'}; only gold: {missing or 'none'}")
    return by_prediction, by_gold


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def bcubed(predicted: Clusters, gold: Clusters) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1, averaged over items (Bagga and Baldwin 1998)."""
    by_prediction, by_gold = _aligned(predicted, gold)
    return _bcubed(by_prediction, by_gold)


def _bcubed(by_prediction: dict[Hashable, int], by_gold: dict[Hashable, int]) -> tuple[float, float, float]:
    n = len(by_gold)
    if n == 0:
        return 1.0, 1.0, 1.0
    joint = Counter((by_prediction[item], by_gold[item]) for item in by_gold)
    predicted_sizes = Counter(by_prediction.values())
    gold_sizes = Counter(by_gold.values())
    # Each of the `count` items in cell (p, g) has `count` correct companions (itself included).
    precision = sum(count * count / predicted_sizes[p] for (p, _), count in joint.items()) / n
    recall = sum(count * count / gold_sizes[g] for (_, g), count in joint.items()) / n
    return precision, recall, f1(precision, recall)


def pairwise(predicted: Clusters, gold: Clusters) -> tuple[float, float, float]:
    """Precision, recall and F1 over unordered pairs of items put together."""
    by_prediction, by_gold = _aligned(predicted, gold)
    return _pairwise(by_prediction, by_gold)


def _pairwise(by_prediction: dict[Hashable, int], by_gold: dict[Hashable, int]) -> tuple[float, float, float]:
    joint = Counter((by_prediction[item], by_gold[item]) for item in by_gold)
    together_both = sum(_pairs(count) for count in joint.values())
    together_predicted = sum(_pairs(count) for count in Counter(by_prediction.values()).values())
    together_gold = sum(_pairs(count) for count in Counter(by_gold.values()).values())
    precision = 1.0 if together_predicted == 0 else together_both / together_predicted
    recall = 1.0 if together_gold == 0 else together_both / together_gold
    return precision, recall, f1(precision, recall)


def false_merge_rate(predicted: Clusters, pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Share of the given pairs that the prediction put in one cluster; ``None`` if there are none."""
    return _false_merge_rate(cluster_index(predicted, name="predicted"), pairs)[1]


def _false_merge_rate(
    by_prediction: dict[Hashable, int], pairs: Iterable[tuple[Hashable, Hashable]]
) -> tuple[int, float | None]:
    total = merged = 0
    for a, b in pairs:
        if a not in by_prediction or b not in by_prediction:
            raise ClusteringMismatchError(f"hard-negative pair ({a!r}, {b!r}) names an unknown item")
        total += 1
        merged += by_prediction[a] == by_prediction[b]
    return total, (None if total == 0 else merged / total)


def score(
    predicted: Clusters,
    gold: Clusters,
    *,
    hard_negative_pairs: Iterable[tuple[Hashable, Hashable]] = (),
    review: Collection[Hashable] = (),
) -> Scores:
    """Score a predicted grouping against gold over exactly the same items.

    Items left in review must still appear in ``predicted`` (as singletons if the system did not place
    them); ``review_share`` is the share of items in ``review``. Raises ``ClusteringMismatchError`` when
    the two groupings do not cover the same items exactly once each.
    """
    by_prediction, by_gold = _aligned(predicted, gold)
    b_precision, b_recall, b_f1 = _bcubed(by_prediction, by_gold)
    p_precision, p_recall, p_f1 = _pairwise(by_prediction, by_gold)
    n_hard, hard_rate = _false_merge_rate(by_prediction, hard_negative_pairs)
    unknown_review = [item for item in review if item not in by_gold]
    if unknown_review:
        raise ClusteringMismatchError(f"review names unknown items {sorted(map(repr, unknown_review))[:3]}")
    n = len(by_gold)
    return Scores(
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=b_f1,
        pairwise_precision=p_precision,
        pairwise_recall=p_recall,
        pairwise_f1=p_f1,
        predicted_groups=len(set(by_prediction.values())),
        gold_groups=len(set(by_gold.values())),
        items=n,
        hard_negative_pairs=n_hard,
        hard_negative_false_merge_rate=hard_rate,
        review_share=0.0 if n == 0 else len(set(review)) / n,
    )
