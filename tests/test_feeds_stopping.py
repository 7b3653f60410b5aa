"""Stopping: SIGTERM and Ctrl-C to the feed daemon (a real process, signalled as a terminal or a service
manager would), and the extraction workers that a large poll starts.

Waits are bounded generously (``PATIENCE``); what is asserted is what happened, never how fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from extract.report import extract_report
from ingest.article import Article
from jobs.extracting import ExtractionsAhead, extract_all
from store.db import open_database
from store.eventlog import EventLog
from store.fanout import worker_pool
from store.feeds import add_feed, current_feeds
from store.rebuild import rebuild
from store.schema import EventRow
from tests.fixtures.feeds.server import FeedServer
from tests.test_feeds_fetch import trickling_server

PATIENCE = 60.0  # seconds: how long a step may take before the test gives up on it

ITEM = (
    "Foreign Minister Ada Ferro met Tomas Brel, chair of the Korsa League, in Lundmark on 2 May 2023.",
    "2023-05-02",
    "Ferro meets Brel",
)


def _article(number: int) -> Article:
    text = f"Report {number}: " + ITEM[0]
    return Article(
        source=f"test:{number}",
        origin="test",
        item_key=str(number),
        title=ITEM[2],
        published=ITEM[1],
        content_type="text/plain",
        raw=text,
        text=text,
    )


# --- the extraction workers -----------------------------------------------------------------------------


def test_a_worker_ignores_ctrl_c_from_its_start() -> None:
    """A terminal's Ctrl-C reaches the worker too; the worker must leave the decision to its parent,
    before it has run any extraction as well as after."""
    with worker_pool(1) as pool:
        assert pool is not None
        worker = pool.submit(os.getpid).result(timeout=PATIENCE)
        os.kill(worker, signal.SIGINT)
        first = pool.submit(extract_all, extract_report, [ITEM]).result(timeout=PATIENCE)
        os.kill(worker, signal.SIGINT)
        again = pool.submit(extract_all, extract_report, [ITEM]).result(timeout=PATIENCE)
        assert pool.submit(os.getpid).result(timeout=PATIENCE) == worker  # the same worker, alive
    assert again == first == [extract_report(ITEM[0], published=ITEM[1], title=ITEM[2])]


def test_a_lost_worker_leaves_the_extraction_to_the_caller(caplog: pytest.LogCaptureFixture) -> None:
    articles = [_article(n) for n in range(3)]
    with worker_pool(1) as pool:
        assert pool is not None
        worker = pool.submit(os.getpid).result(timeout=PATIENCE)
        doomed = pool.submit(time.sleep, PATIENCE)
        os.kill(worker, signal.SIGKILL)
        with pytest.raises(BrokenExecutor):
            doomed.result(timeout=PATIENCE)
        ahead = ExtractionsAhead(extract_report)
        ahead.start(pool)
        ahead.submit(articles)
        extracted = [ahead.extract(a) for a in articles]
    assert extracted == [extract_report(a.text, published=a.published, title=a.title) for a in articles]
    assert "extraction worker lost" in caplog.text


def test_a_worker_that_cannot_start_leaves_the_extraction_to_the_caller(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As when Ctrl-C reaches the fork server while it is still starting up."""

    class Unstartable(ThreadPoolExecutor):
        def submit(self, *_args: object, **_kwargs: object) -> Future[object]:
            raise EOFError("unexpected EOF")

    article = _article(1)
    ahead = ExtractionsAhead(extract_report)
    with Unstartable() as pool:
        ahead.start(pool)
        ahead.submit([article])
        ahead.submit([article])  # the pool is not tried again
        assert ahead.extract(article) == extract_report(
            article.text, published=article.published, title=article.title
        )
    assert caplog.text.count("extraction worker lost (EOFError: unexpected EOF)") == 1


# --- the daemon, signalled --------------------------------------------------------------------------------


class Daemon:
    """``accord run`` in its own process group, its stderr collected line by line as it comes."""

    def __init__(self, db: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from accord.cli import main; main()", "--db", db, "run", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,  # its own process group, as a terminal's foreground job has
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def signal_group(self, signum: int) -> None:
        os.killpg(self.process.pid, signum)

    def wait(self) -> int:
        """The exit status, once it has exited (within ``PATIENCE``)."""
        try:
            status = self.process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the daemon did not stop within {PATIENCE:g}s:\n{self.stderr}")
        self._reader.join(timeout=PATIENCE)
        return status

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def workers(self) -> list[int]:
        """Its extraction workers: the processes of its group that are not its own children (those are
        the fork server and the resource tracker, which ignore SIGINT themselves)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parent, group = map(int, stat.rsplit(")", 1)[1].split()[1:3])
                if group == self.process.pid and self.process.pid not in (parent, int(entry.name)):
                    found.append(int(entry.name))
        return found


def _until(condition: Callable[[], object], what: str, daemon: Daemon) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {PATIENCE:g}s for {what}; the daemon said:\n{daemon.stderr}")
        if daemon.process.poll() is not None:
            pytest.fail(f"the daemon exited ({daemon.process.returncode}) before {what}:\n{daemon.stderr}")
        time.sleep(0.05)


@contextmanager
def _daemon(db: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Daemon]:
    daemon = Daemon(db, *args, env=env)
    try:
        yield daemon
    finally:
        daemon.kill()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    engine = open_database(url, auto_upgrade=True)
    yield url, engine
    assert rebuild(engine, check=True).identical
    engine.dispose()


def _polls(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [e.domain().__dict__ for e in EventLog(conn).read(types=["FeedPolled"])]


@contextmanager
def _polling_a_trickle(db: tuple[str, Engine], timeout: str) -> Iterator[Daemon]:
    """A daemon polling one feed whose server trickles its body for minutes, once the poll is under way."""
    url, engine = db
    with trickling_server(seconds=300) as (base, requests):
        with engine.begin() as conn:
            add_feed(conn, base + "/slow-body")
        with _daemon(url, "--timeout", timeout) as daemon:
            _until(lambda: requests, "the poll to start", daemon)
            yield daemon


@pytest.mark.slow
def test_sigterm_stops_the_daemon_within_about_the_timeout(db: tuple[str, Engine]) -> None:
    _, engine = db
    with _polling_a_trickle(db, timeout="3") as daemon:
        daemon.signal(signal.SIGTERM)
        assert daemon.wait() == 0, daemon.stderr
    assert "received SIGTERM: finishing the polls under way" in daemon.stderr
    [polled] = _polls(engine)
    assert (polled["outcome"], polled["error"]) == ("error", "timed out after 3s")


@pytest.mark.slow
def test_a_second_signal_stops_the_daemon_at_once(db: tuple[str, Engine]) -> None:
    _, engine = db
    with _polling_a_trickle(db, timeout="200") as daemon:
        daemon.signal(signal.SIGINT)
        _until(lambda: "received SIGINT" in daemon.stderr, "the first signal to be seen", daemon)
        daemon.signal(signal.SIGINT)
        assert daemon.wait() == 128 + signal.SIGINT, daemon.stderr
    assert "received SIGINT again: stopping now" in daemon.stderr
    assert _polls(engine) == []  # the poll was cut short: nothing of it stored
    with engine.begin() as conn:
        [feed] = current_feeds(conn)  # the database is whole, and the feed is due again
    assert feed.next_poll_at is None


def _big_feed(items: int) -> bytes:
    """An RSS document of ``items`` distinct reports (distinct words, so they do not all match)."""

    def word(n: int) -> str:
        letters = ""
        n += 26**3
        while n:
            n, r = divmod(n, 26)
            letters += "bcdfghjklmnpqrstvwxz"[r % 20] + "aeiou"[r % 5]
        return letters.capitalize()

    body = "".join(
        f"<item><guid>item-{n}</guid><title>{word(n)} visits {word(n + 7919)}</title>"
        f"<description>Minister Ana {word(n)} met {word(n + 7919)} {word(n + 104729)} in "
        f"{word(n + 1299709)} on {1 + n % 28} March 2024 to discuss {word(n + 15485863).lower()}."
        "</description></item>"
        for n in range(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{body}</channel></rss>'.encode()
    )


ITEMS = 3000  # enough that the poll is still storing when the signal comes, on a fast machine too


@pytest.mark.slow
def test_ctrl_c_during_a_large_poll_lets_it_finish_and_commit(db: tuple[str, Engine]) -> None:
    """Ctrl-C in a terminal: SIGINT to every process of the group, the extraction worker included."""
    url, engine = db
    server = FeedServer()
    try:
        server.serve("/big.xml", body=_big_feed(ITEMS), headers={"Content-Type": "application/rss+xml"})
        with engine.begin() as conn:
            add_feed(conn, server.url("/big.xml"))
        with _daemon(url, "--timeout", "30", env={"ACCORD_INGEST_WORKERS": "1"}) as daemon:
            _until(daemon.workers, "an extraction worker", daemon)

            def stored() -> int:
                with engine.connect() as conn:
                    return len(conn.execute(select(EventRow.position)).all())

            # Past the first batches (the first is extracted in the daemon, the next ones by the worker).
            _until(lambda: stored() > 3 * 120, "the poll to be storing", daemon)
            stored_before = stored()
            daemon.signal_group(signal.SIGINT)
            assert daemon.wait() == 0, daemon.stderr
    finally:
        server.close()
    assert "received SIGINT: finishing the polls under way" in daemon.stderr
    # Nothing failed in the daemon, and the worker lived through the signal.
    assert "extraction worker lost" not in daemon.stderr, daemon.stderr
    assert "Traceback" not in daemon.stderr, daemon.stderr
    assert "failed unexpectedly" not in daemon.stderr, daemon.stderr
    assert "raised an exception" not in daemon.stderr, daemon.stderr  # APScheduler, of a job
    [polled] = _polls(engine)
    assert (polled["outcome"], polled["new"], polled["failed"]) == ("ok", ITEMS, 0), daemon.stderr
    assert stored_before < 3 * ITEMS  # the signal came while the poll was storing its articles
