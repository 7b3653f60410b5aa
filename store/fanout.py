"""Map a pure function over many items on several cores, the results in the order the items came.

A bulk replay derives each report's stored forms (profile, blocking keys, canonical JSON) and folds each
meeting from plain values: work that needs no database and no other report. ``Fanout`` sends it to
worker processes in chunks, so that it runs beside the reading and the writing, which stay in the
caller's process and transaction. Results come back in submission order, which keeps the output
identical to the serial fold. With no workers the function runs in the caller's process, chunk by chunk.

When the workers fall behind (a bounded fanout with ``IN_FLIGHT`` chunks already with them), the caller
runs the next chunk itself rather than wait for one: its core would otherwise idle.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

CHUNK = 256  # items per task: large enough that pickling, not queueing, is the overhead
IN_FLIGHT = 8  # chunks submitted ahead of the results (bounds memory)


def default_workers(variable: str = "ACCORD_REPLAY_WORKERS") -> int:
    """Worker processes for a long replay: ``$ACCORD_REPLAY_WORKERS`` (or ``variable``) if set (0: none,
    all in the caller's process), else one per core beyond the caller's own."""
    chosen = os.environ.get(variable, "").strip()
    if chosen:
        return max(int(chosen), 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(cores - 1, 0)


def _context() -> multiprocessing.context.BaseContext:
    # A fork server forks workers from a clean process: no copy of the caller's open database
    # connections, locks or threads, which a plain fork would take along.
    if "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


def _ignore_interrupts() -> None:
    """A worker ignores SIGINT: a terminal's Ctrl-C reaches the whole process group, and it is for the
    parent to decide what stops (finish the poll under way, roll a rebuild back), not for a worker to die
    of it mid-task."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def worker_pool(workers: int) -> Iterator[Executor | None]:
    """``workers`` worker processes for ``Fanout`` (None when ``workers`` is 0), shut down on exit.

    Workers come from a fork server (else "spawn"), so a script that starts them must guard its
    top level with ``if __name__ == "__main__":``, as ``multiprocessing`` requires. They ignore SIGINT.
    """
    if workers <= 0:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_ignore_interrupts)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class Fanout(Generic[T, R]):
    """Collects items and applies ``fn`` (a top-level function: list of items -> list of results) to
    chunks of them, in ``pool`` or, without one, here. ``results()`` returns every result in the order the
    items were added.
    """

    def __init__(
        self,
        fn: Callable[[list[T]], list[R]],
        pool: Executor | None,
        *,
        chunk: int = CHUNK,
        bounded: bool = True,
    ) -> None:
        """``bounded``: while ``IN_FLIGHT`` chunks are with the workers, ``add`` runs the next chunk itself,
        so that items the workers have not taken yet do not pile up; unbounded, every chunk goes to the
        workers and ``add`` returns at once (for items that are in memory anyway: the caller can do other
        work while the workers run)."""
        self._fn = fn
        self._pool = pool
        self._chunk = chunk
        self._bounded = bounded
        self._items: list[T] = []
        self._done: list[R] = []
        # In submission order: each chunk with the worker's future for it, or with its results when this
        # process ran it.
        self._pending: deque[tuple[list[T], Future[list[R]] | list[R]]] = deque()

    def add(self, item: T) -> None:
        self._items.append(item)
        if len(self._items) >= self._chunk:
            self._send()

    def results(self) -> list[R]:
        """Every result, in order. The fanout takes no more items after this."""
        self._send()
        # Chunks the workers have not started are run here, the last first, while the workers finish the
        # first ones: this process would otherwise wait for all of them.
        for i in reversed(range(len(self._pending))):
            items, task = self._pending[i]
            if isinstance(task, Future) and task.cancel():
                self._pending[i] = ([], self._fn(items))
        while self._pending:
            self._take()
        done, self._done = self._done, []
        return done

    def _send(self) -> None:
        items, self._items = self._items, []
        if not items:
            return
        if self._pool is None:
            self._done.extend(self._fn(items))
            return
        while self._pending and _ready(self._pending[0][1]):
            self._take()
        if self._bounded and self._unfinished() >= IN_FLIGHT:
            # The workers are behind: this chunk runs here (its results wait their turn in the queue).
            self._pending.append(([], self._fn(items)))
        else:
            self._pending.append((items, self._pool.submit(self._fn, items)))

    def _unfinished(self) -> int:
        """Chunks with the workers, not done yet (a done one waits only for those before it)."""
        return sum(1 for _, task in self._pending if isinstance(task, Future) and not task.done())

    def _take(self) -> None:
        _, task = self._pending.popleft()
        self._done.extend(task if isinstance(task, list) else task.result())


def _ready(task: Future[Any] | list[Any]) -> bool:
    return isinstance(task, list) or task.done()
