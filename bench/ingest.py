"""End-to-end ingest: synthetic articles through ``jobs.pipeline.Pipeline.ingest``.

Everything a real ingest does is timed: logging, extraction, matching against the store, and
projecting, one transaction per article. The articles are generated before timing starts.
"""

from __future__ import annotations

from bench.corpus import articles
from bench.databases import accord_engine
from bench.measure import Figure, rate, timed
from jobs.pipeline import Pipeline

SEED = 11


def measure(backend: str, size: int) -> list[Figure]:
    items = list(articles(size, seed=SEED))
    with accord_engine(backend, "ingest") as engine:
        pipeline = Pipeline(engine)
        with timed() as ingest_time:
            summary = pipeline.ingest(items)
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
            extra={"new": summary.count("new")},
        )
    ]


def hot_spots(backend: str, size: int) -> dict[str, object]:
    from bench import profiling

    items = list(articles(size, seed=SEED))
    with accord_engine(backend, "ingest_profile") as engine:
        own, inclusive = profiling.profile(lambda: Pipeline(engine).ingest(items))
    return {"own": own, "inclusive": inclusive}
