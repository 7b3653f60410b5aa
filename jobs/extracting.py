"""Extraction a batch ahead, in a worker process, while the pipeline matches and projects the batch before.

Extraction is pure and deterministic: an article's ``Extraction`` is a function of its text, publication
date and title. So the pipeline may compute it anywhere, any time before it needs it, and the events it
logs are the same. ``ExtractionsAhead`` sends a batch's articles to a worker and hands each result back
when the pipeline reaches that article. An extraction that raised in the worker raises there and then,
exactly where the in-process extraction would have.

Nothing here may decide what is logged: whatever the worker did or did not do (not finished yet, died,
an exception that does not survive pickling), the article is extracted in the caller's process instead.
A pool whose worker died (or could not start) is not used again. Workers ignore SIGINT: a terminal's
Ctrl-C reaches the whole process group, and it is for the caller to decide what to stop (the feed daemon
finishes its polls).
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future
from typing import Protocol

from extract.facts import Extraction
from ingest.article import Article
from store.fanout import default_workers

# Articles per task: small enough that the pipeline, reaching the next batch, finds its first articles
# done while the worker is still on the later ones.
CHUNK = 10

# Seconds to wait for a worker's result before extracting in the caller's process instead. Waiting
# idles the caller's core, and the caller, not the worker, is the slower of the two.
PATIENCE = 0.0

log = logging.getLogger("accord.pipeline")

Inputs = tuple[str, str | None, str | None]  # text, published, title: all an extraction depends on


class Extractor(Protocol):
    def __call__(self, text: str, *, published: str | None, title: str | None = None) -> Extraction: ...


class _Redo:
    """Marks an extraction that raised an exception which would not come back through pickling."""


Result = Extraction | BaseException | _Redo


def ingest_workers() -> int:
    """Worker processes for extracting ahead: ``$ACCORD_INGEST_WORKERS`` if set (0: extract in the
    caller's process), else one if there is a core beyond the caller's own. More do not help: the
    caller's matching and projecting takes longer than extraction does."""
    if os.environ.get("ACCORD_INGEST_WORKERS", "").strip():
        return default_workers("ACCORD_INGEST_WORKERS")
    return min(default_workers(), 1)


def inputs(article: Article) -> Inputs:
    return (article.text, article.published, article.title)


def extract_all(extract: Extractor, items: list[Inputs]) -> list[Result]:
    """Each item's extraction, or the exception it raised (runs in a worker; ``extract`` must be a
    top-level function, so that it pickles by name)."""
    results: list[Result] = []
    for text, published, title in items:
        try:
            results.append(extract(text, published=published, title=title))
        except Exception as e:  # noqa: BLE001 - any exception is the article's, raised where it is used
            results.append(e if _survives_pickling(e) else _Redo())
    return results


def _survives_pickling(e: BaseException) -> bool:
    try:
        back = pickle.loads(pickle.dumps(e))
    except Exception:  # noqa: BLE001 - whatever pickling cannot carry is redone in the caller
        return False
    return type(back) is type(e) and str(back) == str(e)


class ExtractionsAhead:
    """Extractions submitted to ``pool`` ahead of need; ``extract`` returns one, or computes it here.

    With no pool (``start`` not called) every extraction is computed in the caller's process.
    """

    def __init__(self, extract: Extractor) -> None:
        self._extract = extract
        self._pool: Executor | None = None
        self._broken = False  # a worker died: everything is extracted here from now on
        self._tasks: dict[Inputs, tuple[Future[list[Result]], int]] = {}

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self, pool: Executor) -> None:
        self._pool = pool

    def submit(self, articles: Iterable[Article]) -> None:
        """Start extracting ``articles`` in the pool (if there is one)."""
        if self._pool is None or self._broken:
            return
        fresh = list(dict.fromkeys(i for i in map(inputs, articles) if i not in self._tasks))
        for start in range(0, len(fresh), CHUNK):
            chunk = fresh[start : start + CHUNK]
            try:
                future = self._pool.submit(extract_all, self._extract, chunk)
            except Exception as e:  # noqa: BLE001 - whatever the pool raises, extraction goes on here
                # A worker that died (BrokenExecutor), or one that could not be started: a Ctrl-C that
                # reaches a fork server still starting up kills it, and the submit raises EOFError.
                log.warning(
                    "extraction worker lost (%s: %s): extracting in this process", type(e).__name__, e
                )
                self._broken = True
                return
            for index, item in enumerate(chunk):
                self._tasks[item] = (future, index)

    def forget(self, articles: Sequence[Article]) -> None:
        """Drop what was submitted for ``articles`` (done with them, extracted or not)."""
        for article in articles:
            self._tasks.pop(inputs(article), None)

    def extract(self, article: Article) -> Extraction:
        """The article's extraction, from the worker if it has it ready, else computed here. Raises what
        the extraction raised."""
        task = self._tasks.get(inputs(article))
        result: Result = _Redo()
        if task is not None:
            future, index = task
            try:
                result = future.result(timeout=PATIENCE)[index]
            except Exception:  # noqa: BLE001 - not done yet (waiting would idle this core), or the worker died
                result = _Redo()
        if isinstance(result, BaseException):
            raise result
        if isinstance(result, Extraction):
            return result
        # Not submitted, not ready, or an exception that pickling would have changed: the same pure
        # function, here.
        return self._extract(article.text, published=article.published, title=article.title)
