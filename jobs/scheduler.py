"""The feed daemon (``accord run``): APScheduler 3 with its job store in the same database.

One job per feed (id ``feed:<feed_id>``) at the feed's interval with jitter, coalesced, one instance at a
time, a misfire grace fitted to the interval; plus a job that catches the projections up and one that
adds and removes feed jobs as feeds are added, removed, paused or moved to another interval. The job
store is scheduling state, not truth: it is rebuilt from the ``feeds`` projection when a daemon starts.

Several daemons may share one PostgreSQL database: they share the job store, and the per-feed lease in
``jobs.polling`` (an advisory lock) together with the feed's ``next_poll_at`` make sure a due feed is
polled by one of them, once. On SQLite run one daemon per database.

SIGINT / SIGTERM stop the scheduler: polls under way finish and commit, then the process exits. Each fetch
ends within the timeout, and a ``--full-text`` poll fetches no further pages once stopping, so this takes
about the timeout. A second signal ends the process at once: articles are committed in batches (each
article whole, in a savepoint of its own; see ``jobs.pipeline``), so a poll cut short has stored the
batches it committed and not the open one, whose articles the next poll fetches again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from accord.errors import NotFoundError
from jobs.polling import DEFAULT_SETTINGS, PollReport, PollSettings, catch_up_feeds, feeds, poll_feed
from store.eventlog import EventLog
from store.events import utcnow
from store.feedfold import FeedState
from store.projections import Projector

log = logging.getLogger("accord.daemon")

JOB_PREFIX = "feed:"
CATCH_UP_JOB = "accord:catch-up"
SYNC_JOB = "accord:sync-feeds"
DUE_SLACK = 0.2  # a job firing within this fraction of the interval before next_poll_at still polls

# The running daemon. Jobs in the database name module functions (they are pickled by reference), and
# those find the engine and settings here.
_DAEMON: Daemon | None = None


def poll_job(feed_id: str) -> None:
    if _DAEMON is not None:
        _DAEMON.poll(feed_id)


def catch_up_job() -> None:
    if _DAEMON is not None:
        _DAEMON.catch_up()


def sync_job() -> None:
    if _DAEMON is not None:
        _DAEMON.sync()


def job_id(feed_id: str) -> str:
    return JOB_PREFIX + feed_id


def job_options(feed: FeedState, now: datetime) -> dict[str, Any]:
    """How one feed is scheduled: its interval with jitter, first run when it is next due."""
    every = feed.every_seconds
    first = feed.next_poll_at if feed.next_poll_at and feed.next_poll_at > now else now
    return {
        "id": job_id(feed.feed_id),
        "name": f"poll {feed.url}",
        "trigger": IntervalTrigger(seconds=every, jitter=max(1, min(60, every // 10)), timezone=UTC),
        "args": (feed.feed_id,),
        "next_run_time": first,
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": max(30, every // 2),
        "replace_existing": True,
    }


class Daemon:
    """Schedules and runs the polls of every active feed."""

    def __init__(
        self,
        engine: Engine,
        *,
        settings: PollSettings = DEFAULT_SETTINGS,
        catch_up_seconds: int = 30,
        sync_seconds: int = 60,
        workers: int = 4,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.catch_up_seconds = catch_up_seconds
        self.sync_seconds = sync_seconds
        self.clock = clock
        self.reports: list[PollReport] = []
        self.stopping = threading.Event()  # set by ``stop`` or a signal: polls under way fetch no more pages
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine)},
            executors={"default": ThreadPoolExecutor(max_workers=workers)},
            timezone=UTC,
        )

    # --- jobs ---------------------------------------------------------------------------------------

    def poll(self, feed_id: str) -> PollReport | None:
        try:
            report = poll_feed(
                self.engine,
                feed_id,
                settings=self.settings,
                clock=self.clock,
                slack=DUE_SLACK,
                actor="daemon",
                stop=self.stopping,
            )
        except NotFoundError:
            return None  # removed since the job was scheduled; the next sync drops the job
        self.reports.append(report)
        return report

    def catch_up(self) -> int:
        with self.engine.begin() as conn:
            EventLog(conn).lock()
            done = Projector(conn).catch_up()
        return done + catch_up_feeds(self.engine)

    def sync(self, *, replace: bool = False) -> list[str]:
        """Make the scheduler's feed jobs match the active feeds; returns the ids of the feed jobs."""
        now = self.clock()
        active = {job_id(f.feed_id): f for f in feeds(self.engine) if not f.paused}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in active:
                self.scheduler.remove_job(job.id)
        for jid, feed in sorted(active.items()):
            existing = self.scheduler.get_job(jid)
            interval = getattr(existing.trigger, "interval", None) if existing else None
            if replace or interval != timedelta(seconds=feed.every_seconds):
                self.scheduler.add_job(poll_job, **job_options(feed, now))
        return sorted(active)

    # --- lifecycle ----------------------------------------------------------------------------------

    def start(self, *, paused: bool = False) -> None:
        global _DAEMON
        self.catch_up()  # first: projections another fold version built stop the daemon before it starts
        _DAEMON = self
        self.scheduler.start(paused=paused)
        self.sync(replace=True)
        common = {"coalesce": True, "max_instances": 1, "replace_existing": True}
        self.scheduler.add_job(
            catch_up_job, "interval", seconds=self.catch_up_seconds, id=CATCH_UP_JOB, **common
        )
        self.scheduler.add_job(sync_job, "interval", seconds=self.sync_seconds, id=SYNC_JOB, **common)
        log.info("daemon started with %d feeds", len(self.scheduler.get_jobs()) - 2)

    def stop(self) -> None:
        """Stop scheduling; wait for polls under way to finish (and commit)."""
        global _DAEMON
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.catch_up()
        _DAEMON = None
        log.info("daemon stopped")


def run(
    engine: Engine, *, settings: PollSettings = DEFAULT_SETTINGS, exit_after: float | None = None
) -> Daemon:
    """Run the daemon until SIGINT or SIGTERM (or ``exit_after`` seconds), then let the polls under way
    finish. A second signal ends the process at once, with the status 128 + the signal's number."""
    daemon = Daemon(engine, settings=settings)

    def on_signal(signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        if daemon.stopping.is_set():
            log.warning("received %s again: stopping now, without the polls under way", name)
            _exit_now(128 + signum)
        log.info("received %s: finishing the polls under way (send it again to stop at once)", name)
        daemon.stopping.set()  # polls under way fetch no further pages from now

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        daemon.start()
        daemon.stopping.wait(exit_after)
    finally:
        daemon.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return daemon


def _exit_now(status: int) -> None:
    """End the process without waiting for the poll threads (an interpreter exit would join them).
    Their open transactions are rolled back by the database; committed articles stay."""
    with contextlib.suppress(Exception):  # leaving is what matters: a failed flush must not prevent it
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(status)
