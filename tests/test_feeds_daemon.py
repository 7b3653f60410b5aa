"""The daemon: its jobs, polling by the (controlled) clock, and two daemons on one PostgreSQL database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import Engine, func, select

from jobs.polling import PollSettings, next_poll_at
from jobs.scheduler import CATCH_UP_JOB, SYNC_JOB, Daemon, job_id
from store.db import open_database
from store.feeds import add_feed, remove_feed
from store.rebuild import rebuild
from store.schema import EventRow
from tests.fixtures.feeds.server import FeedServer
from tests.test_feeds_polling import SETTINGS, _add_unchecked

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture
def engine(engine: Engine) -> Iterator[Engine]:
    yield engine
    assert rebuild(engine, check=True).identical


def _count(engine: Engine, type_name: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).where(EventRow.type == type_name)).scalar_one())


def test_one_job_per_active_feed_with_stable_ids(engine: Engine, server: FeedServer) -> None:
    with time_machine.travel(T0, tick=False):
        with engine.begin() as conn:
            quick = add_feed(conn, server.url("/a.xml"), every_seconds=900)
            slow = add_feed(conn, server.url("/b.xml"), every_seconds=3600)
        daemon = Daemon(engine, settings=SETTINGS)
        daemon.start(paused=True)  # jobs are stored, none runs
        try:
            jobs = {job.id: job for job in daemon.scheduler.get_jobs()}
            assert set(jobs) == {job_id(quick.feed_id), job_id(slow.feed_id), CATCH_UP_JOB, SYNC_JOB}
            job = jobs[job_id(quick.feed_id)]
            assert job.trigger.interval == timedelta(seconds=900)
            assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 450)
            assert job.next_run_time == T0  # never polled: due now
            with engine.begin() as conn:
                remove_feed(conn, slow.feed_id)
            daemon.sync()
            assert {j.id for j in daemon.scheduler.get_jobs()} == {
                job_id(quick.feed_id),
                CATCH_UP_JOB,
                SYNC_JOB,
            }
        finally:
            daemon.stop()


def test_jobs_poll_only_when_the_feed_is_due(engine: Engine, server: FeedServer) -> None:
    url = server.serve("/rss.xml", "rss.xml")
    daemon = Daemon(engine, settings=SETTINGS)
    with time_machine.travel(T0, tick=False):
        with engine.begin() as conn:
            feed = add_feed(conn, url, every_seconds=900)
        assert daemon.poll(feed.feed_id).status == "ok"  # type: ignore[union-attr]
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        assert daemon.poll(feed.feed_id).status == "not-due"  # type: ignore[union-attr]
    # a job that fires a little early (scheduler jitter) still polls
    with time_machine.travel(T0 + timedelta(minutes=13), tick=False):
        assert daemon.poll(feed.feed_id).status == "ok"  # type: ignore[union-attr]
    server.serve("/rss.xml", status=503, headers={"Retry-After": "3600"})
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        assert daemon.poll(feed.feed_id).status == "error"  # type: ignore[union-attr]
    with time_machine.travel(T0 + timedelta(minutes=60), tick=False):
        assert daemon.poll(feed.feed_id).status == "not-due"  # type: ignore[union-attr]  # Retry-After
    assert server.hits["/rss.xml"] == 3


def test_a_feed_with_a_bad_address_is_backed_off_by_the_daemon(engine: Engine) -> None:
    daemon = Daemon(engine, settings=SETTINGS)
    with time_machine.travel(T0, tick=False):
        feed = _add_unchecked(engine, "http://a..b/feed.xml", every_seconds=900)
    statuses = []
    for minutes in (0, 15, 30, 45, 75):
        with time_machine.travel(T0 + timedelta(minutes=minutes), tick=False):
            report = daemon.poll(feed.feed_id)
            assert report is not None
            statuses.append(report.status)
    # errors back off: 15 min after the first, 30 after the second, 60 after the third
    assert statuses == ["error", "error", "not-due", "error", "not-due"]
    assert _count(engine, "FeedPolled") == 3


def test_backoff_grows_is_capped_and_never_stops() -> None:
    settings = PollSettings(jitter=0.0, backoff_cap_seconds=6 * 3600)
    delays = [
        (next_poll_at(T0, every_seconds=900, error_streak=n, settings=settings) - T0).total_seconds()
        for n in range(12)
    ]
    assert delays[:5] == [900, 900, 1800, 3600, 7200]
    assert max(delays) == 6 * 3600
    assert delays[-1] == 6 * 3600  # capped, still polled
    jittered = next_poll_at(T0, every_seconds=1000, error_streak=0, settings=PollSettings(jitter=0.1))
    assert T0 + timedelta(seconds=1000) <= jittered <= T0 + timedelta(seconds=1100)
    retry = next_poll_at(T0, every_seconds=60, error_streak=1, retry_after=10**9, settings=settings)
    assert retry == T0 + timedelta(seconds=settings.retry_after_cap_seconds)


def _accord(db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from accord.cli import main; main()", "--db", db, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.mark.postgres
@pytest.mark.slow
def test_two_daemons_poll_each_feed_once(pg_url: str, server: FeedServer) -> None:
    server.serve("/pages/summit.html", "summit.html")
    server.serve("/pages/envoy.html", "envoy.html")
    url = server.serve("/teasers.xml", "fulltext.xml", delay=0.5)  # slow enough for the two to overlap
    engine = open_database(pg_url, auto_upgrade=True)
    try:
        with engine.begin() as conn:
            feed = add_feed(conn, url, every_seconds=86400, full_text=True)
        daemons = [_accord(pg_url, "run", "--timeout", "5") for _ in range(2)]
        deadline = time.monotonic() + 30
        while _count(engine, "FeedPolled") == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # give the other daemon its chance to (wrongly) poll too
        for daemon in daemons:
            daemon.send_signal(signal.SIGTERM)
        outputs = [daemon.communicate(timeout=30) for daemon in daemons]
        assert [d.returncode for d in daemons] == [0, 0], outputs
        assert server.hits["/teasers.xml"] == 1
        assert server.hits["/pages/summit.html"] == server.hits["/pages/envoy.html"] == 1
        assert _count(engine, "FeedPolled") == 1
        assert _count(engine, "ArticleReceived") == 2
        poll_lines = [line for _, err in outputs for line in err.splitlines() if " poll feed=" in line]
        assert len(poll_lines) == 1
        assert "status=ok" in poll_lines[0]
        assert "new=2" in poll_lines[0]
        with engine.connect() as conn:
            rows = conn.execute(select(EventRow.meta).where(EventRow.type == "ArticleReceived")).scalars()
            assert {json.loads(m)["feed_id"] for m in rows} == {feed.feed_id}
        assert rebuild(engine, check=True).identical
    finally:
        engine.dispose()
