"""The harness with fake systems, and the text-only baseline on small corpora."""

from __future__ import annotations

import json
import sys
from collections import defaultdict

import pytest

from evaluation.baseline import HARD_NEGATIVE_CEILING, THRESHOLDS, tfidf_baseline
from evaluation.corpora import LabelledCorpus, LabelledItem, load_synthetic
from evaluation.errors import BaselineTooLargeError, BenchExtraMissingError, ClusteringMismatchError
from evaluation.harness import SystemResult, evaluate


@pytest.fixture(scope="module")
def corpus() -> LabelledCorpus:
    return load_synthetic(300, seed=4)


def oracle(corpus: LabelledCorpus) -> SystemResult:
    return SystemResult(clusters=corpus.gold_clusters())


def same_title(corpus: LabelledCorpus) -> SystemResult:
    """A naive fake: one cluster per title, half of the singletons sent to review."""
    groups: dict[str, set[str]] = defaultdict(set)
    for item in corpus.items:
        groups[item.title].add(item.source)
    review = frozenset(sorted(s for g in groups.values() if len(g) == 1 for s in g)[::2])
    explanations = {item.source: f"title {item.title!r}" for item in corpus.items}
    return SystemResult(clusters=list(groups.values()), review=review, explanations=explanations)


def test_oracle_scores_one_and_has_no_errors(corpus: LabelledCorpus) -> None:
    report = evaluate(corpus, oracle, baseline=False)
    assert report.system.bcubed_f1 == 1.0
    assert report.system.hard_negative_false_merge_rate == 0.0
    assert report.worst_errors == []
    assert report.baseline is None
    assert "None." in report.to_markdown()


def test_naive_system_beside_the_baseline(corpus: LabelledCorpus) -> None:
    pytest.importorskip("sklearn")
    report = evaluate(corpus, same_title, worst=3)
    assert report.baseline is not None
    assert report.baseline_threshold in THRESHOLDS
    assert 0.0 < report.system.review_share < 1.0
    kinds = [case.kind for case in report.worst_errors]
    assert kinds.count("false merge") <= 3
    assert kinds.count("missed merge") == 3
    wrong = [case.wrong_pairs for case in report.worst_errors if case.kind == "missed merge"]
    assert wrong == sorted(wrong, reverse=True)
    assert all(item.explanation.startswith("title") for case in report.worst_errors for item in case.items)
    markdown = report.to_markdown()
    assert "| **B-cubed F1** |" in markdown
    assert "in hindsight" in markdown
    assert "## Worst missed merges" in markdown
    data = json.loads(report.to_json())
    assert data["system"]["bcubed_f1"] == pytest.approx(report.system.bcubed_f1)
    assert data["baseline"]["bcubed_f1"] == pytest.approx(report.baseline.bcubed_f1)


def test_the_baseline_is_also_scored_on_the_matchers_terms(corpus: LabelledCorpus) -> None:
    """Beside its best cut, the baseline's best cut within 1% hard-negative merges: fewer merges, lower F1."""
    pytest.importorskip("sklearn")
    report = evaluate(corpus, oracle)
    best, held = report.baseline, report.baseline_constrained
    assert best is not None
    assert held is not None
    assert best.hard_negative_false_merge_rate is not None
    assert held.hard_negative_false_merge_rate is not None
    assert held.hard_negative_false_merge_rate <= HARD_NEGATIVE_CEILING < best.hard_negative_false_merge_rate
    assert held.bcubed_f1 < best.bcubed_f1
    assert report.baseline_constrained_threshold is not None
    assert report.baseline_threshold is not None
    assert report.baseline_constrained_threshold < report.baseline_threshold
    assert f"threshold {report.baseline_constrained_threshold})" in report.to_markdown()


def test_false_merge_of_a_hard_negative_is_flagged(corpus: LabelledCorpus) -> None:
    a, b = min(corpus.hard_negative_pairs)

    def merge_one_hard_pair(corpus: LabelledCorpus) -> SystemResult:
        return SystemResult(clusters=[{a, b}])  # everything else left unplaced: scored as singletons

    report = evaluate(corpus, merge_one_hard_pair, baseline=False)
    merges = [case for case in report.worst_errors if case.kind == "false merge"]
    assert len(merges) == 1
    assert merges[0].hard_negative
    assert merges[0].wrong_pairs == 1
    assert report.system.hard_negative_false_merge_rate == pytest.approx(1 / len(corpus.hard_negative_pairs))


def test_unknown_sources_from_the_system_raise(corpus: LabelledCorpus) -> None:
    with pytest.raises(ClusteringMismatchError, match="unknown sources"):
        evaluate(corpus, lambda _: SystemResult(clusters=[{"nowhere://1"}]), baseline=False)


def test_missing_scikit_learn_is_reported_not_fatal(
    corpus: LabelledCorpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.feature_extraction.text", None)
    with pytest.raises(BenchExtraMissingError, match="bench extra"):
        tfidf_baseline(corpus)
    report = evaluate(corpus, oracle)
    assert report.baseline is None
    assert report.baseline_skipped is not None
    assert "bench" in report.baseline_skipped


def _item(source: str, text: str, gold: str) -> LabelledItem:
    return LabelledItem(source=source, title="", published=None, text=text, gold=gold)


def test_baseline_separates_unrelated_texts() -> None:
    pytest.importorskip("sklearn")
    corpus = LabelledCorpus(
        name="toy",
        items=[
            _item("a1", "flood river water evacuated village", "flood"),
            _item("a2", "river flood evacuated water rescue", "flood"),
            _item("b1", "election parliament voters ballot turnout", "vote"),
            _item("b2", "voters ballot parliament election results", "vote"),
        ],
    )
    result = tfidf_baseline(corpus)
    assert result.scores.bcubed_f1 == 1.0
    assert len(result.curve) == len(THRESHOLDS)
    assert all(0.0 <= f1 <= 1.0 for _, f1 in result.curve)
    with pytest.raises(BaselineTooLargeError):
        tfidf_baseline(corpus, max_items=3)
