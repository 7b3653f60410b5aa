"""Extraction a batch ahead in a worker process: the same log as extracting in the caller, failures
included, and no worker left behind.

The extractors below are top-level functions of this module, so that worker processes (which import it
afresh) receive them by name. Each records its calls in ``CALLS`` of the process it runs in: the test's
own list therefore counts only the extractions done in the caller's process.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from accord.errors import AccordError
from bench.corpus import article
from evaluation.synthetic import generate
from extract.facts import Extraction
from extract.report import extract_report
from ingest.article import Article
from jobs import extracting, pipeline
from jobs.extracting import ingest_workers
from jobs.pipeline import Outcome, Pipeline
from store.db import open_database
from store.rebuild import rebuild
from store.schema import EventRow

CALLS: list[str] = []
PICKLABLE = "[picklable failure]"
UNPICKLABLE = "[unpicklable failure]"
BUG = "[extractor bug]"


class Unpicklable(AccordError, ValueError):
    """Builds its message in ``__init__`` from two arguments, so unpickling it (with one) fails."""

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what}: {why}")


def counting_extract(text: str, *, published: str | None, title: str | None = None) -> Extraction:
    CALLS.append(text)
    return extract_report(text, published=published, title=title)


def failing_extract(text: str, *, published: str | None, title: str | None = None) -> Extraction:
    CALLS.append(text)
    if PICKLABLE in text:
        raise AccordError("cannot extract this report (picklable)")
    if UNPICKLABLE in text:
        raise Unpicklable("cannot extract this report", "unpicklable")
    if BUG in text:
        raise RuntimeError("a bug in the extractor")
    return extract_report(text, published=published, title=title)


@pytest.fixture(autouse=True)
def _calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Wait for the worker's results, so that every extraction it was given is taken from it (by
    # default the pipeline extracts here what the worker has not finished, which depends on timing).
    monkeypatch.setattr(extracting, "PATIENCE", 60.0)
    CALLS.clear()
    yield
    CALLS.clear()


def stream(n: int = 40) -> list[Article]:
    """``n`` new articles, one of them again unchanged (a duplicate) and one revised."""
    items = [article(r) for r in generate(n, seed=5)]
    more = items[10].text + " Talks will continue."
    return [*items, items[3], replace(items[10], raw=more, text=more)]


def with_text(item: Article, marker: str) -> Article:
    text = f"{item.text}\n{marker}\n"
    return replace(item, raw=text, text=text)


def logged(engine: Engine) -> list[tuple[Any, ...]]:
    """The log's events without what depends on the clock (``received_at``, recorded time, hashes)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                EventRow.stream_id, EventRow.stream_version, EventRow.type, EventRow.payload, EventRow.meta
            ).order_by(EventRow.position)
        ).all()
    events = []
    for stream_id, version, kind, payload, meta in rows:
        data = json.loads(payload)
        data.pop("received_at", None)
        events.append((stream_id, version, kind, data, meta))
    return events


@contextmanager
def database(path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


def run(
    path: Path, items: list[Article], workers: int, extractor: Any = counting_extract
) -> tuple[list[Outcome], list[tuple[Any, ...]]]:
    with database(path) as engine:
        outcomes = Pipeline(engine, extractor=extractor).ingest(items, batch=10, workers=workers).outcomes
        assert rebuild(engine, check=True).identical
        return outcomes, logged(engine)


def test_extracting_in_a_worker_logs_what_extracting_here_does(tmp_path: Path) -> None:
    items = stream()
    here = run(tmp_path / "here.db", items, workers=0)
    extracted_here = len(CALLS)
    CALLS.clear()
    ahead = run(tmp_path / "ahead.db", items, workers=1)
    assert [o.status for o in here[0]].count("duplicate") == 1
    assert [o.status for o in here[0]].count("revised") == 1
    assert extracted_here == len(items) - 1  # the duplicate is not extracted
    assert CALLS == []  # every extraction came from the worker
    assert ahead == here


@pytest.mark.parametrize(
    ("marker", "message", "redone_here"),
    [
        # carried back from the worker and raised in the article's savepoint
        (PICKLABLE, "cannot extract this report (picklable)", 0),
        # would not survive pickling: extracted again here, where it raises the same
        (UNPICKLABLE, "cannot extract this report: unpicklable", 1),
    ],
)
def test_an_extraction_that_raises_in_the_worker_fails_only_its_article(
    tmp_path: Path, marker: str, message: str, redone_here: int
) -> None:
    items = stream()
    items[25] = with_text(items[25], marker)
    here = run(tmp_path / "here.db", items, workers=0, extractor=failing_extract)
    CALLS.clear()
    ahead = run(tmp_path / "ahead.db", items, workers=1, extractor=failing_extract)
    failed = [o for o in ahead[0] if o.status == "failed"]
    assert [(o.source, o.message) for o in failed] == [(items[25].source, message)]
    assert sum(o.status == "new" for o in ahead[0]) == len(items) - 3  # failed, duplicate, revised
    assert len(CALLS) == redone_here
    assert ahead == here
    assert not any(items[25].text in json.dumps(event[3]) for event in ahead[1])  # no event of it


def test_an_extractor_bug_stops_the_ingest_and_its_worker(tmp_path: Path) -> None:
    items = stream()
    items[25] = with_text(items[25], BUG)
    with database(tmp_path / "a.db") as engine:
        with pytest.raises(RuntimeError, match="a bug in the extractor"):
            Pipeline(engine, extractor=failing_extract).ingest(items, batch=10, workers=1)
        assert multiprocessing.active_children() == []
        # the batches before the one with the bug were committed (20 articles, or up to 25 if a slow
        # machine cut a batch at ``BATCH_SECONDS``); the bug's batch was rolled back
        assert 20 <= len({e[0] for e in logged(engine)}) <= 25


@pytest.mark.parametrize(
    ("count", "batch", "workers", "started"),
    [
        (5, 50, 1, 0),  # a feed poll: one batch, no worker
        (50, 50, 1, 0),  # exactly one batch
        (51, 50, 1, 1),  # a second batch is queued
        (30, 10, 2, 1),  # one pool, whatever its size
        (30, 10, 0, 0),  # turned off
    ],
)
def test_a_worker_starts_only_behind_a_second_batch_and_stops_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, batch: int, workers: int, started: int
) -> None:
    pools: list[int] = []
    real = pipeline.worker_pool

    def spy(n: int) -> Any:
        pools.append(n)
        return real(n)

    monkeypatch.setattr(pipeline, "worker_pool", spy)
    items = [article(r) for r in generate(count, seed=5)]
    with database(tmp_path / "a.db") as engine:
        summary = Pipeline(engine).ingest(items, batch=batch, workers=workers)
    assert summary.count("new") == count
    assert pools == [workers] * started
    assert multiprocessing.active_children() == []


def test_workers_are_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_INGEST_WORKERS", "0")
    assert ingest_workers() == 0
    monkeypatch.setenv("ACCORD_INGEST_WORKERS", "2")
    assert ingest_workers() == 2
    monkeypatch.delenv("ACCORD_INGEST_WORKERS")
    assert ingest_workers() in (0, 1)


COLLECTOR_ON: list[bool] = []


def collector_watching_extract(text: str, *, published: str | None, title: str | None = None) -> Extraction:
    COLLECTOR_ON.append(gc.isenabled())
    return extract_report(text, published=published, title=title)


def test_the_cycle_collector_rests_during_a_batch_and_comes_back_after(tmp_path: Path) -> None:
    COLLECTOR_ON.clear()
    assert gc.isenabled()
    with database(tmp_path / "gc.db") as engine:
        Pipeline(engine, extractor=collector_watching_extract).ingest(stream(12), batch=5, workers=0)
    assert len(COLLECTOR_ON) == 13  # 12 articles and one revision (the duplicate is not extracted)
    assert not any(COLLECTOR_ON)
    assert gc.isenabled()
