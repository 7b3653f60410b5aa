"""Text-only baseline: TF-IDF cosine plus average-linkage agglomerative clustering.

The distance threshold is picked in hindsight, as the one with the best B-cubed F1 against gold. That is
deliberate: the number is an upper bound for what a user could do in an afternoon with scikit-learn, and
a system worth its complexity has to beat it without peeking. A second pick, also in hindsight, is the
best threshold whose hard-negative false-merge rate stays within ``HARD_NEGATIVE_CEILING`` (the 1% the
matcher is held to): the baseline on the matcher's terms. Needs the ``bench`` extra (scikit-learn,
which brings SciPy and NumPy); they are imported only when the baseline runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from evaluation.corpora import LabelledCorpus
from evaluation.errors import BaselineTooLargeError, BenchExtraMissingError
from evaluation.metrics import Scores, score

THRESHOLDS = tuple(round(0.01 * step, 2) for step in range(1, 100))  # cosine distance 0.01 ... 0.99
HARD_NEGATIVE_CEILING = 0.01
MAX_ITEMS = 5000  # the dense distance matrix is n^2 floats


@dataclass(frozen=True, kw_only=True)
class BaselineResult:
    threshold: float
    scores: Scores
    clusters: list[set[str]]
    curve: tuple[tuple[float, float], ...]  # (threshold, B-cubed F1) over the grid
    seconds: float
    # The best cut whose hard-negative false-merge rate is within HARD_NEGATIVE_CEILING (None: none is).
    constrained_threshold: float | None = None
    constrained: Scores | None = None


def _import_bench() -> tuple[Any, Any, Any]:
    try:
        import numpy as np
        from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped,unused-ignore]
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as e:
        raise BenchExtraMissingError(e.name or "scikit-learn") from e
    return np, (linkage, fcluster), TfidfVectorizer


def tfidf_baseline(
    corpus: LabelledCorpus, *, thresholds: tuple[float, ...] = THRESHOLDS, max_items: int = MAX_ITEMS
) -> BaselineResult:
    """Cluster the corpus by text alone and report the best grid threshold in hindsight.

    Raises ``BenchExtraMissingError`` without scikit-learn and ``BaselineTooLargeError`` above
    ``max_items`` items (memory grows with the square of the corpus).
    """
    if not thresholds:
        raise ValueError("the baseline needs at least one threshold to try")
    if len(corpus.items) > max_items:
        raise BaselineTooLargeError(len(corpus.items), max_items)
    np, (linkage, fcluster), tfidf_vectorizer = _import_bench()
    started = time.perf_counter()
    sources = [item.source for item in corpus.items]
    gold = corpus.gold_clusters()
    if len(sources) < 2:
        clusters = [{source} for source in sources]
        scores = score(clusters, gold, hard_negative_pairs=corpus.hard_negative_pairs)
        return BaselineResult(threshold=0.0, scores=scores, clusters=clusters, curve=(), seconds=0.0)
    vectors = tfidf_vectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [f"{item.title}\n{item.text}" for item in corpus.items]
    )
    distance = np.clip(1.0 - (vectors @ vectors.T).toarray(), 0.0, 2.0)
    upper = np.triu_indices(len(sources), k=1)
    tree = linkage(distance[upper], method="average")
    cuts: list[tuple[float, Scores, list[set[str]]]] = []
    for threshold in thresholds:
        clusters = _groups(sources, fcluster(tree, t=threshold, criterion="distance").tolist())
        cuts.append(
            (threshold, score(clusters, gold, hard_negative_pairs=corpus.hard_negative_pairs), clusters)
        )
    # max() keeps the first (lowest) threshold on ties.
    threshold, scores, clusters = max(cuts, key=lambda cut: cut[1].bcubed_f1)
    within = [cut for cut in cuts if (cut[1].hard_negative_false_merge_rate or 0.0) <= HARD_NEGATIVE_CEILING]
    constrained = max(within, key=lambda cut: cut[1].bcubed_f1) if within else None
    return BaselineResult(
        threshold=threshold,
        scores=scores,
        clusters=clusters,
        curve=tuple((t, s.bcubed_f1) for t, s, _ in cuts),
        seconds=time.perf_counter() - started,
        constrained_threshold=constrained[0] if constrained else None,
        constrained=constrained[1] if constrained else None,
    )


def _groups(sources: list[str], labels: list[int]) -> list[set[str]]:
    groups: dict[int, set[str]] = {}
    for source, label in zip(sources, labels, strict=True):
        groups.setdefault(label, set()).add(source)
    return list(groups.values())
