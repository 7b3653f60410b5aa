"""Run a system on a labelled corpus and report its scores beside the text-only baseline's.

The system is plugged in as a ``RunSystem`` callable, so this module knows nothing of databases: the
real adapter (ingest, extract, match and projections into a fresh database) lives in ``jobs/``. The
adapter gets the corpus and must give back clusters of item sources, the sources it left in review, and
an explanation per item that a developer reads when listing the worst errors.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from evaluation.baseline import BaselineResult, tfidf_baseline
from evaluation.corpora import LabelledCorpus, LabelledItem
from evaluation.errors import BaselineTooLargeError, BenchExtraMissingError, ClusteringMismatchError
from evaluation.metrics import Scores, score

ErrorKind = Literal["false merge", "missed merge"]
_ITEMS_SHOWN = 8


@dataclass(frozen=True, kw_only=True)
class SystemResult:
    """What a system under test answers: groups of sources, sources left in review, explanations.

    Items the system did not place in any cluster are scored as singletons.
    """

    clusters: list[set[str]]
    review: frozenset[str] = frozenset()
    explanations: Mapping[str, str] = field(default_factory=dict)


RunSystem = Callable[[LabelledCorpus], SystemResult]


@dataclass(frozen=True, kw_only=True)
class ErrorItem:
    source: str
    origin: str
    title: str
    gold: str
    predicted: int  # position of the item's cluster in the system's answer
    explanation: str


@dataclass(frozen=True, kw_only=True)
class ErrorCase:
    """One predicted cluster mixing gold groups (false merge), or one gold group split (missed merge)."""

    kind: ErrorKind
    wrong_pairs: int
    hard_negative: bool
    items: tuple[ErrorItem, ...]


@dataclass(frozen=True, kw_only=True)
class Report:
    corpus: str
    items: int
    system: Scores
    system_seconds: float
    baseline: Scores | None
    baseline_threshold: float | None
    baseline_seconds: float | None
    baseline_skipped: str | None
    worst_errors: list[ErrorCase]
    # The baseline's best cut with hard-negative false merges within the matcher's 1% (None: no such cut).
    baseline_constrained: Scores | None = None
    baseline_constrained_threshold: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        return "\n".join(_markdown(self)) + "\n"


def evaluate(
    corpus: LabelledCorpus, run_system: RunSystem, *, baseline: bool = True, worst: int = 10
) -> Report:
    """Run ``run_system`` on ``corpus``, score it, run the baseline, and collect the ``worst`` errors of each kind.

    The baseline is skipped, with the reason in the report, when scikit-learn is missing or the corpus is
    too large for it. Raises ``ClusteringMismatchError`` if the system answers with unknown sources.
    """
    started = time.perf_counter()
    result = run_system(corpus)
    seconds = time.perf_counter() - started
    clusters = _complete(corpus, result.clusters)
    system = score(
        clusters, corpus.gold_clusters(), hard_negative_pairs=corpus.hard_negative_pairs, review=result.review
    )
    base: BaselineResult | None = None
    skipped: str | None = "not requested"
    if baseline:
        try:
            base, skipped = tfidf_baseline(corpus), None
        except (BenchExtraMissingError, BaselineTooLargeError) as e:
            skipped = str(e)
    errors = _worst_errors(corpus, clusters, result.explanations, worst)
    return Report(
        corpus=corpus.name,
        items=len(corpus.items),
        system=system,
        system_seconds=seconds,
        baseline=base.scores if base else None,
        baseline_threshold=base.threshold if base else None,
        baseline_seconds=base.seconds if base else None,
        baseline_skipped=skipped,
        worst_errors=errors,
        baseline_constrained=base.constrained if base else None,
        baseline_constrained_threshold=base.constrained_threshold if base else None,
    )


def _complete(corpus: LabelledCorpus, clusters: list[set[str]]) -> list[set[str]]:
    known = {item.source for item in corpus.items}
    placed = set().union(*clusters) if clusters else set()
    unknown = placed - known
    if unknown:
        raise ClusteringMismatchError(f"the system returned unknown sources {sorted(unknown)[:3]}")
    completed = [set(cluster) for cluster in clusters if cluster]
    completed += [{item.source} for item in corpus.items if item.source not in placed]
    return completed


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _worst_errors(
    corpus: LabelledCorpus, clusters: list[set[str]], explanations: Mapping[str, str], worst: int
) -> list[ErrorCase]:
    by_source = {item.source: item for item in corpus.items}
    position = {source: i for i, cluster in enumerate(clusters) for source in cluster}

    def shown(sources: list[str]) -> tuple[ErrorItem, ...]:
        ordered = sorted(sources, key=lambda s: (by_source[s].gold, position[s], s))[:_ITEMS_SHOWN]
        return tuple(_error_item(by_source[s], position[s], explanations.get(s, "")) for s in ordered)

    hard_clusters = {position[a] for a, b in corpus.hard_negative_pairs if position[a] == position[b]}
    false_merges = []
    for i, cluster in enumerate(clusters):
        golds = Counter(by_source[s].gold for s in cluster)
        if len(golds) > 1:
            wrong = _pairs(len(cluster)) - sum(_pairs(n) for n in golds.values())
            false_merges.append(
                ErrorCase(
                    kind="false merge",
                    wrong_pairs=wrong,
                    hard_negative=i in hard_clusters,
                    items=shown(list(cluster)),
                )
            )
    missed_merges = []
    for gold in corpus.gold_clusters():
        spread = Counter(position[s] for s in gold)
        if len(spread) > 1:
            missing = _pairs(len(gold)) - sum(_pairs(n) for n in spread.values())
            missed_merges.append(
                ErrorCase(
                    kind="missed merge", wrong_pairs=missing, hard_negative=False, items=shown(sorted(gold))
                )
            )

    def worst_first(case: ErrorCase) -> tuple[int, str]:
        return (-case.wrong_pairs, case.items[0].source)

    return sorted(false_merges, key=worst_first)[:worst] + sorted(missed_merges, key=worst_first)[:worst]


def _error_item(item: LabelledItem, predicted: int, explanation: str) -> ErrorItem:
    return ErrorItem(
        source=item.source,
        origin=item.origin,
        title=item.title,
        gold=item.gold,
        predicted=predicted,
        explanation=" ".join(explanation.split()),
    )


def _number(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


_ROWS: tuple[tuple[str, str], ...] = (
    ("**B-cubed F1**", "bcubed_f1"),
    ("B-cubed precision", "bcubed_precision"),
    ("B-cubed recall", "bcubed_recall"),
    ("pairwise F1", "pairwise_f1"),
    ("pairwise precision", "pairwise_precision"),
    ("pairwise recall", "pairwise_recall"),
    ("groups predicted", "predicted_groups"),
    ("hard-negative false-merge rate", "hard_negative_false_merge_rate"),
    ("review share", "review_share"),
)


def _constrained_header(report: Report) -> str:
    if report.baseline_constrained_threshold is None:
        return "baseline within 1% hard-negative merges (no such threshold)"
    return f"baseline within 1% hard-negative merges (threshold {report.baseline_constrained_threshold})"


def _markdown(report: Report) -> list[str]:
    base = report.baseline
    base_header = (
        f"TF-IDF baseline (threshold {report.baseline_threshold} in hindsight)" if base else "TF-IDF baseline"
    )
    lines = [
        f"# Evaluation on {report.corpus}",
        "",
        (
            f"{report.items} items in {report.system.gold_groups} gold groups; "
            f"{report.system.hard_negative_pairs} hard-negative pairs."
        ),
        "",
        f"| metric | system | {base_header} | {_constrained_header(report)} |",
        "|---|---:|---:|---:|",
    ]
    held = report.baseline_constrained
    for label, key in _ROWS:
        system_value = getattr(report.system, key)
        base_value = getattr(base, key) if base else None
        held_value = getattr(held, key) if held else None
        lines.append(f"| {label} | {_number(system_value)} | {_number(base_value)} | {_number(held_value)} |")
    lines.append(
        f"| seconds | {_number(report.system_seconds, 2)} | {_number(report.baseline_seconds, 2)} | — |"
    )
    if report.baseline_skipped:
        lines += ["", f"Baseline skipped: {report.baseline_skipped}."]
    for kind in ("false merge", "missed merge"):
        cases = [case for case in report.worst_errors if case.kind == kind]
        lines += ["", f"## Worst {kind}s"]
        if not cases:
            lines += ["", "None."]
        for number, case in enumerate(cases, start=1):
            flag = " (hard negative)" if case.hard_negative else ""
            plural = "" if case.wrong_pairs == 1 else "s"
            lines += ["", f"### {number}. {case.wrong_pairs} wrong pair{plural}{flag}", ""]
            for item in case.items:
                origin = f" [{item.origin}]" if item.origin else ""
                why = f" - {item.explanation}" if item.explanation else ""
                lines.append(
                    f"- `{item.source}`{origin} gold `{item.gold}`, cluster {item.predicted}: {item.title}{why}"
                )
    return lines
