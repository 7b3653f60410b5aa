"""End-to-end ingest: synthetic articles through ``jobs.pipeline.Pipeline.ingest``.

Everything a real ingest does is timed: logging, extraction, matching against the store, and
projecting, articles committed in the pipeline's batches. The articles are generated before timing starts.

So that a run that slows down shows where, the figure's ``extra`` has the mean cost per article of each
tenth of the run, wall and CPU, taken at the commits (everything included: a batch's articles are
projected together at its end, then committed), and the p50/p99/max of ``Pipeline.ingest_one`` per
article (log, extract, match: not the batch's projection and commit). ``ACCORD_BENCH_INGEST_LOG=path``
writes one JSON line per article's ``ingest_one`` (index, ms, cpu_ms).

The stream has the same density at every size (``bench.corpus.REPORTS_PER_DAY``, that of the match
benchmark's store): a larger run is a longer archive, not a busier week.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext
from itertools import pairwise
from typing import Any, TextIO

from sqlalchemy import Connection

from bench.corpus import articles
from bench.databases import accord_engine
from bench.measure import Figure, percentile, rate, timed
from ingest.article import Article
from jobs.pipeline import MatchCache, Outcome, Pipeline

SEED = 11
TENTHS = 10


class TimedPipeline(Pipeline):
    """The pipeline, recording each article's time in ``ingest_one`` (seconds, in arrival order), and
    writing it as a JSON line to ``log`` as it goes (so a run that is stopped still shows its curve).

    The line has the process's CPU time too (``cpu_ms``): on a shared machine the wall time of an
    article includes waiting for a core, its CPU time does not (SQLite's work is in the process;
    PostgreSQL's is not)."""

    def __init__(self, *args: Any, log: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self.log = log

    def ingest_one(
        self,
        conn: Connection,
        article: Article,
        *,
        metadata: dict[str, Any] | None = None,
        cache: MatchCache | None = None,
        project: bool = True,
    ) -> Outcome:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return super().ingest_one(conn, article, metadata=metadata, cache=cache, project=project)
        finally:
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
            self.seconds.append(seconds)
            self.cpu_seconds.append(cpu_seconds)
            if self.log is not None:
                line = {
                    "i": len(self.seconds) - 1,
                    "ms": round(seconds * 1000, 3),
                    "cpu_ms": round(cpu_seconds * 1000, 3),
                }
                self.log.write(json.dumps(line) + "\n")
                self.log.flush()


class Committed:
    """``on_outcome`` for ``Pipeline.ingest``: the wall and CPU clocks when each article was committed.

    Every article of a batch is reported at its commit, so the time between an article's report and the
    previous one is the whole cost of its batch for the first, ~0 for the others: summed over a tenth of
    the run, they are that tenth's full cost (projection and commit included).
    """

    def __init__(self) -> None:
        self.started = (time.perf_counter(), time.process_time())
        self.at: list[tuple[float, float]] = []

    def __call__(self, _outcome: Outcome) -> None:
        self.at.append((time.perf_counter(), time.process_time()))

    def costs(self) -> tuple[list[float], list[float]]:
        """Seconds of wall and CPU time charged to each article, in order."""
        points = [self.started, *self.at]
        wall = [b[0] - a[0] for a, b in pairwise(points)]
        cpu = [b[1] - a[1] for a, b in pairwise(points)]
        return wall, cpu


def per_article(
    seconds: list[float], committed_wall: list[float], committed_cpu: list[float]
) -> dict[str, Any]:
    """Per-article summary: ``ingest_one``'s percentiles, and the mean whole cost (at the commits) of each
    tenth of the run in order, wall and CPU."""
    ms = [s * 1000 for s in seconds]
    return {
        "ingest_one_p50_ms": round(percentile(ms, 50), 2),
        "ingest_one_p99_ms": round(percentile(ms, 99), 2),
        "ingest_one_max_ms": round(max(ms, default=0.0), 1),
        "article_mean_ms_by_tenth": _by_tenth([s * 1000 for s in committed_wall]),
        "article_cpu_mean_ms_by_tenth": _by_tenth([s * 1000 for s in committed_cpu]),
    }


def _by_tenth(ms: list[float]) -> list[float]:
    step = max(1, len(ms) // TENTHS)
    tenths = [ms[i : i + step] for i in range(0, len(ms), step)][:TENTHS]
    return [round(sum(t) / len(t), 2) for t in tenths if t]


def measure(backend: str, size: int) -> list[Figure]:
    items = list(articles(size, seed=SEED))
    path = os.environ.get("ACCORD_BENCH_INGEST_LOG")
    with (
        open(path, "w", encoding="utf-8") if path else nullcontext() as log,
        accord_engine(backend, "ingest") as engine,
    ):
        pipeline = TimedPipeline(engine, log=log)
        committed = Committed()
        with timed() as ingest_time:
            summary = pipeline.ingest(items, on_outcome=committed)
    failed = summary.failed
    if failed:
        raise RuntimeError(f"{len(failed)} of {size} articles failed, first: {failed[0].message}")
    return [
        Figure(
            scenario="ingest",
            metric="end-to-end ingest (log, extract, match, project)",
            backend=backend,
            impl="accord",
            size=size,
            value=rate(size, ingest_time.seconds),
            unit="reports/s",
            count=size,
            seconds=ingest_time.seconds,
            extra={"new": summary.count("new"), **per_article(pipeline.seconds, *committed.costs())},
        )
    ]


def hot_spots(backend: str, size: int) -> dict[str, object]:
    from bench import profiling

    items = list(articles(size, seed=SEED))
    with accord_engine(backend, "ingest_profile") as engine:
        own, inclusive = profiling.profile(lambda: Pipeline(engine).ingest(items))
    return {"own": own, "inclusive": inclusive}
