"""Matching quality for BENCHMARKS.md: the real pipeline on the labelled corpora beside the baseline.

``make eval`` runs ``python -m bench.quality`` after the per-corpus reports; it writes
``bench/quality.md``, which ``bench.report`` places in BENCHMARKS.md. Quality figures are deterministic
(no timing in them), so they are comparable from one version to the next.
"""

from __future__ import annotations

import argparse
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from evaluation import corpora
from evaluation.errors import CorpusNotFoundError
from evaluation.harness import Report, evaluate
from jobs.evaluate import run_pipeline
from matcher import MATCHER_VERSION

QUALITY = Path(__file__).resolve().parent / "quality.md"

TUNING = (
    "What was tuned on what: the matcher's weights and thresholds were chosen on synthetic seed 5 "
    "(n=1000) and on the odd-numbered ECB+ topics. In match-1.3 that is the text feature's similarity "
    "(mean of Dice and a rarity-weighted cosine, chosen over either alone), weight 12 and center 0.075 "
    "(the odd topics' best B³ F1 with their hard negatives under 1%; at a weight of 12.4 two events of "
    'one odd topic merge whole, 2%) and the rule that numbers in names ("Route 52") are no figures, '
    "found in an odd-topic false merge. The word-rarity table is general-English frequencies from the "
    "wordfreq package, derived from none of these corpora. The even ECB+ topics, synthetic seed 3 and the "
    "five sample reports were not used to choose settings; they are the held-out figures, with two "
    "caveats: in match-1.2 the even topics' hard-negative check (above 1% with round numbers counted as "
    "figures) was looked at, and round numbers (400, 150) are no longer figures; in match-1.3 the even "
    "topics' and seed 3's figures were printed beside the tuning sets' for some candidate settings "
    "during the search, though the choice was made on the tuning sets. In extract-1.1 (matcher "
    "unchanged) the extraction fixes kept are those that raised the odd topics' B³ F1 without raising "
    "their hard negatives: ambiguous slashed dates (05/02/2013) name no day unless a number above 12 or a "
    "month named in the text decides, and a possessive is no part of a person's name. Two further rules "
    'were measured and dropped: publication-stamp lines ("May 3, 2013 at 7:31 AM ET") lowered the odd '
    "topics' F1 (date vetoes between reports of one event on consecutive days), and richer person "
    "extraction with the most-named people as participants, chosen on the odd topics, took the even "
    "topics' hard negatives to 2% (one topic whose two events concern the same player in the same week); "
    "the even figures were looked at only as that go/no-go check. The TF-IDF baseline's threshold "
    "is picked in hindsight on each corpus (an upper bound for that approach, on a grid of cosine "
    "distances 0.01 apart), and its hard-negative rate is far above the 1% the matcher keeps to; the last "
    "column is the baseline on the matcher's terms: its best threshold, again in hindsight, among those "
    "whose hard-negative false-merge rate is at most 1%."
)


def _row(name: str, report: Report) -> str:
    s, b = report.system, report.baseline
    base = f"{b.bcubed_f1:.3f}" if b else "n/a"
    base_hn = (
        f"{b.hard_negative_false_merge_rate:.3f}"
        if b and b.hard_negative_false_merge_rate is not None
        else "n/a"
    )
    held = report.baseline_constrained
    base_held = f"{held.bcubed_f1:.3f}" if held else "n/a"
    hn = f"{s.hard_negative_false_merge_rate:.3f}" if s.hard_negative_false_merge_rate is not None else "n/a"
    return (
        f"| {name} | {report.items} | **{s.bcubed_f1:.3f}** | {s.bcubed_precision:.3f} | {s.bcubed_recall:.3f} "
        f"| {s.pairwise_f1:.3f} | {s.predicted_groups} / {s.gold_groups} | {hn} | {s.review_share:.3f} "
        f"| {base} | {base_hn} | {base_held} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(QUALITY))
    args = parser.parse_args(argv)
    runs: list[tuple[str, corpora.LabelledCorpus]] = [
        ("sample reports (seeds)", corpora.load_seeds()),
        ("synthetic n=1000 seed 3 (held out)", corpora.load_synthetic(1000, 3)),
    ]
    missing = None
    try:
        odd = [str(t) for t in range(1, 100) if t % 2]
        even = [str(t) for t in range(1, 100) if not t % 2]
        runs += [
            ("ECB+ even topics (held out)", corpora.load_ecbplus(topics=even)),
            ("ECB+ odd topics (tuning)", corpora.load_ecbplus(topics=odd)),
            ("ECB+ all", corpora.load_ecbplus()),
        ]
    except CorpusNotFoundError as e:
        missing = str(e)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    lines = [
        (
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {commit or '?'} with `make eval` "
            f"(`python -m bench.quality`), matcher {MATCHER_VERSION}."
        ),
        "",
        (
            "| corpus | items | B³ F1 | B³ P | B³ R | pairwise F1 | groups (pred / gold) | hard-neg. false merges "
            "| review share | baseline B³ F1 | baseline hard-neg. | baseline B³ F1, hard-neg. ≤ 1% |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, corpus in runs:
        lines.append(_row(name, evaluate(corpus, run_pipeline, baseline=True)))
        print(lines[-1], flush=True)
    lines += ["", TUNING, ""]
    if missing:
        lines += [f"ECB+ was not evaluated: {missing}", ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
