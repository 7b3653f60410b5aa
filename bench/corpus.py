"""Benchmark inputs from the synthetic generator: articles, and pre-extracted reports to build large logs.

Every input has the same density, ``REPORTS_PER_DAY``: a larger benchmark covers more weeks, as a longer-
running archive would, and a week is no busier. (``generate(n)`` alone packs any ``n`` into the same eight
years, so a larger ``n`` would also be a denser stream, with more candidates and larger components per
report: a different workload, not a larger archive.)

Extraction runs at a few hundred reports a second, so logs and stores larger than ``POOL`` reports are
built from a pool of ``POOL`` really extracted reports, re-used cycle after cycle under new article ids
(cycle ``c`` of report ``k`` is a distinct article). The pool is extracted once and cached on disk.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.synthetic import SyntheticReport, generate
from extract.report import EXTRACTOR_VERSION, extract_report
from ingest.article import Article

POOL = 4000
# The pool's density (about 1.4 a day: ``generate(POOL)`` spreads 4000 reports over eight years, among
# ~800 people, as ``generate`` does at this density at any size); the match benchmark's store repeats the
# pool cycle after cycle, eight years later each time.
REPORTS_PER_DAY = 1.4
CACHE = Path(os.environ.get("ACCORD_BENCH_CACHE", Path(tempfile.gettempdir()) / "accord-bench-cache"))


def article(report: SyntheticReport) -> Article:
    """The Article a reader would have produced for one synthetic report (a plain-text item of a feed)."""
    return Article(
        source=report.source,
        origin=report.source,
        item_key=None,
        title=report.title,
        published=report.published,
        content_type="text/plain",
        raw=report.text,
        text=report.text,
    )


def articles(n: int, *, seed: int, reports_per_day: float = REPORTS_PER_DAY) -> Iterator[Article]:
    """``n`` articles of the synthetic stream at ``reports_per_day`` (by default the pool's density)."""
    return (article(r) for r in generate(n, seed=seed, reports_per_day=reports_per_day))


@dataclass(frozen=True, kw_only=True)
class Extracted:
    """One synthetic report with its real extraction (``Extraction.to_dict()``)."""

    report: SyntheticReport
    extraction: dict[str, Any]


def pool(size: int = POOL, *, seed: int = 7) -> list[Extracted]:
    """``size`` synthetic reports, extracted; cached so each benchmark process does not redo it."""
    digest = hashlib.sha256(f"{size}-{seed}-{EXTRACTOR_VERSION}".encode()).hexdigest()[:16]
    path = CACHE / f"pool-{digest}.pickle"
    if path.exists():
        with path.open("rb") as f:
            cached: list[Extracted] = pickle.load(f)
        return cached
    result = [
        Extracted(
            report=r,
            extraction=extract_report(r.text, published=r.published, title=r.title).to_dict(),
        )
        for r in generate(size, seed=seed)
    ]
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return result


def cycled(items: list[Extracted], n: int) -> Iterator[tuple[int, Extracted]]:
    """``n`` reports from the pool: (cycle, item), cycle after cycle."""
    for i in range(n):
        yield i // len(items), items[i % len(items)]


def article_id(cycle: int, item: Extracted) -> str:
    return hashlib.sha256(f"{cycle}|{item.report.source}".encode()).hexdigest()[:20]
