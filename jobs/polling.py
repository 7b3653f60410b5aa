"""Polling one feed: lease → read its state → fetch → items → pipeline → ``FeedPolled``. Thin shell.

A poll holds a per-feed lease for its whole length, so two daemons on one PostgreSQL database never poll
the same feed at once: ``pg_try_advisory_lock`` on a connection kept for the poll (a session lock, gone
with the session if the process dies, so it never needs expiring and is no table). A poller that cannot
get the lease skips the feed; one that gets it after another finished sees the new ``next_poll_at`` and
skips too, so each due poll runs once. SQLite has no such lock: there, one daemon per database is the
supported setup and the lease is only a per-process lock.

Whatever a feed does — time out, answer 500, send junk — the poll ends in a ``FeedPolled`` event with the
error as a value and a later ``next_poll_at`` (exponential backoff with jitter, capped, never giving up).
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, text

from accord.errors import AccordError, IngestError, NotFoundError
from ingest.article import Article
from ingest.feeditems import FeedDocument, FeedItem, decode_body, full_text_article, read_feed_document
from ingest.http import DEFAULT_CONFIG, FetchConfig, Fetched, fetch, make_client
from jobs.pipeline import Outcome, Pipeline, origin_key
from store.eventlog import EventLog
from store.events import DomainEvent, article_id_for, article_stream, utcnow
from store.feedevents import FeedChanged, FeedPolled
from store.feedfold import FeedState
from store.feeds import FeedProjector, append_feed_events, current_feeds

log = logging.getLogger("accord.feeds")

MAX_WARNINGS = 10


@dataclass(frozen=True, kw_only=True)
class PollSettings:
    fetch: FetchConfig = DEFAULT_CONFIG
    backoff_cap_seconds: int = 6 * 3600  # errors back off up to this (or the interval, if longer)
    retry_after_cap_seconds: int = 24 * 3600  # a server cannot park a feed for longer than this
    jitter: float = 0.1  # up to this fraction is added to every delay, so feeds do not align


DEFAULT_SETTINGS = PollSettings()


@dataclass(frozen=True, kw_only=True)
class PollReport:
    """What one poll did. ``status``: ok | not-modified | error | gone | busy | not-due | paused."""

    feed_id: str
    status: str
    http_status: int | None = None
    new: int = 0
    revised: int = 0
    duplicate: int = 0
    failed: int = 0
    seconds: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    next_poll_at: datetime | None = None

    @property
    def polled(self) -> bool:
        return self.status in ("ok", "not-modified", "error", "gone")


# --- scheduling arithmetic (pure) -----------------------------------------------------------------------


def next_poll_at(
    now: datetime,
    *,
    every_seconds: int,
    error_streak: int,
    retry_after: float | None = None,
    settings: PollSettings = DEFAULT_SETTINGS,
    rng: random.Random | None = None,
) -> datetime:
    """When to poll next: the interval after a success; after the n-th error in a row the interval times
    2**(n-1), capped; never sooner than a Retry-After the server sent (itself capped). Jitter only adds."""
    delay = float(every_seconds)
    if error_streak > 0:
        cap = max(every_seconds, settings.backoff_cap_seconds)
        delay = min(cap, every_seconds * 2.0 ** min(error_streak - 1, 30))
    delay *= 1 + (rng or random).uniform(0, settings.jitter)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.retry_after_cap_seconds))
    return now + timedelta(seconds=round(delay))


# --- the lease ------------------------------------------------------------------------------------------

_LOCAL_LEASES: dict[str, threading.Lock] = {}
_LOCAL_GUARD = threading.Lock()


def lease_key(feed_id: str) -> int:
    """The feed's advisory-lock id (a signed 64-bit number; the log's append lock is another one)."""
    digest = hashlib.sha256(f"accord-feed-lease:{feed_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def feed_lease(engine: Engine, feed_id: str) -> Iterator[bool]:
    """Yields whether this process now holds the feed's lease (it never waits for it)."""
    if engine.dialect.name != "postgresql":
        with _LOCAL_GUARD:
            lock = _LOCAL_LEASES.setdefault(feed_id, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    key = lease_key(feed_id)
    conn = engine.connect()
    try:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()  # the lock is the session's, not the transaction's: keep no transaction open
        try:
            yield got
        finally:
            if got:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
                except Exception:
                    conn.invalidate()  # closing the session releases the lock
                    raise
    finally:
        conn.close()


# --- one poll -------------------------------------------------------------------------------------------


def poll_feed(
    engine: Engine,
    feed_id: str,
    *,
    force: bool = False,
    settings: PollSettings = DEFAULT_SETTINGS,
    clock: Callable[[], datetime] = utcnow,
    rng: random.Random | None = None,
    actor: str = "poller",
    slack: float = 0.0,
    stop: threading.Event | None = None,
) -> PollReport:
    """Poll one feed if it is due (``force``: even if not due or paused) and record the poll.

    Whether it is due is decided under the lease, so a poller that gets the lease just after another
    one finished sees that poll's ``next_poll_at``. ``slack`` (a fraction of the interval) lets a
    scheduler whose job fires a little early, because of jitter, still poll. Once ``stop`` is set, a
    ``--full-text`` poll fetches no more linked pages: it stores what it has, keeps the feed's old
    validators (so the next poll reads the whole feed again) and says so in its warnings."""
    with feed_lease(engine, feed_id) as held:
        if not held:
            return PollReport(feed_id=feed_id, status="busy")
        with engine.begin() as conn:
            state = next((f for f in current_feeds(conn) if f.feed_id == feed_id), None)
        if state is None:
            raise NotFoundError("feed", feed_id)
        if not force and state.paused:
            return PollReport(feed_id=feed_id, status="paused")
        if not force and not state.due(clock() + timedelta(seconds=state.every_seconds * slack)):
            return PollReport(feed_id=feed_id, status="not-due", next_poll_at=state.next_poll_at)
        report = _poll(engine, state, settings=settings, clock=clock, rng=rng, actor=actor, stop=stop)
    _log(state, report)
    return report


def _poll(
    engine: Engine,
    state: FeedState,
    *,
    settings: PollSettings,
    clock: Callable[[], datetime],
    rng: random.Random | None,
    actor: str,
    stop: threading.Event | None = None,
) -> PollReport:
    started, began = clock(), time.monotonic()
    counts = {"new": 0, "revised": 0, "duplicate": 0, "failed": 0}
    warnings: list[str] = []
    changes: list[DomainEvent] = []
    fetched: Fetched | None = None
    complete = True
    try:
        with make_client(settings.fetch) as client:
            fetched = fetch(
                state.url,
                etag=state.etag,
                last_modified=state.last_modified,
                config=settings.fetch,
                client=client,
            )
            outcome, error = fetched.outcome, fetched.error
            if fetched.moved_to and fetched.moved_to != state.url:
                changes.append(
                    FeedChanged(
                        feed_id=state.feed_id,
                        url=fetched.moved_to,
                        reason=f"permanent redirect from {state.url}",
                        actor=actor,
                        changed_at=clock().isoformat(),
                    )
                )
            if fetched.ok:
                document = read_feed_document(state.origin, fetched.body, fetched.content_type)
                if isinstance(document, IngestError):
                    outcome, error = "error", document.problem
                else:
                    warnings.extend(document.warnings)
                    complete = _ingest(engine, state, document, client, settings, counts, warnings, stop)
    except Exception as e:
        # A bug (or a failing database) must not stop the other feeds: it is logged with its traceback,
        # recorded as this poll's error, and backed off like any other.
        log.exception("poll feed=%s url=%s failed unexpectedly", state.feed_id, _quote(state.url))
        outcome, error = "error", f"unexpected {type(e).__name__}: {e}"
    if outcome == "gone":
        changes.append(
            FeedChanged(
                feed_id=state.feed_id,
                paused=True,
                reason="HTTP 410 Gone: the publisher removed the feed "
                f"(to poll it again: accord feeds add {state.origin})",
                actor=actor,
                changed_at=clock().isoformat(),
            )
        )
    http_status = fetched.status if fetched else None
    streak = 0 if outcome in ("ok", "not-modified") else state.error_streak + 1
    finished = clock()
    upcoming = next_poll_at(
        finished,
        every_seconds=state.every_seconds,
        error_streak=streak,
        retry_after=fetched.retry_after if fetched else None,
        settings=settings,
        rng=rng,
    )
    # A poll that stopped early keeps the old validators: the next one must not be told "not modified".
    etag, last_modified = state.etag, state.last_modified
    if fetched is not None and outcome in ("ok", "not-modified") and complete:
        etag, last_modified = fetched.etag or etag, fetched.last_modified or last_modified
    polled = FeedPolled(
        feed_id=state.feed_id,
        url=fetched.final_url if fetched else state.url,
        started_at=started.isoformat(),
        finished_at=finished.isoformat(),
        http_status=http_status,
        outcome=outcome,
        error=error,
        **counts,
        etag=etag,
        last_modified=last_modified,
        error_streak=streak,
        next_poll_at=upcoming.isoformat(),
        warnings=warnings[:MAX_WARNINGS],
    )
    with engine.begin() as conn:
        append_feed_events(conn, state.feed_id, [*changes, polled], metadata={"actor": actor})
    return PollReport(
        feed_id=state.feed_id,
        status=outcome,
        http_status=http_status,
        **counts,
        seconds=time.monotonic() - began,
        error=error,
        warnings=polled.warnings,
        next_poll_at=upcoming,
    )


def _ingest(
    engine: Engine,
    state: FeedState,
    document: FeedDocument,
    client: httpx.Client,
    settings: PollSettings,
    counts: dict[str, int],
    warnings: list[str],
    stop: threading.Event | None = None,
) -> bool:
    """Run the document's items through the pipeline (committed in batches, each article whole). False
    when ``stop`` cut the fetching of linked pages short (the items before it are stored)."""
    complete = True

    def linked_pages() -> Iterator[Article | IngestError]:
        # A generator: the pipeline reads it lazily, so the pages fetched so far are committed batch by
        # batch while the rest are fetched, and a poll cut short keeps them.
        nonlocal complete
        for number, item in enumerate(document.items):
            if stop is not None and stop.is_set():
                left = len(document.items) - number
                warnings.append(f"stopping: {left} items not fetched, left for the next poll")
                complete = False
                return
            if _known(engine, state.origin, item):
                # Full-text items are fetched once: a known item's page is not fetched again.
                counts["duplicate"] += 1
                continue
            yield _full_text(state, item, client, settings)

    items: Iterable[Article | IngestError] = (
        linked_pages() if state.full_text else [item.article for item in document.items]
    )

    def count(outcome: Outcome) -> None:
        # As each item commits, so that a poll that fails part way still counts what it stored.
        counts[outcome.status] += 1
        if outcome.status == "failed":
            warnings.append(f"{outcome.source}: {outcome.message}")

    Pipeline(engine, actor=f"feed:{state.feed_id}").ingest(
        items, metadata={"feed_id": state.feed_id}, on_outcome=count
    )
    return complete


def _known(engine: Engine, origin: str, item: FeedItem) -> bool:
    article_id = article_id_for(origin_key(origin), item.key)
    with engine.connect() as conn:
        return EventLog(conn).stream_version(article_stream(article_id)) > 0


def _full_text(
    state: FeedState, item: FeedItem, client: httpx.Client, settings: PollSettings
) -> Article | IngestError:
    if not item.link:
        return item.article  # nothing to follow: the feed's own text is all there is
    page: Fetched = fetch(
        item.link, config=settings.fetch, client=client, accept="text/html, application/xhtml+xml;q=0.9"
    )
    if not page.ok:
        return IngestError(item.link, f"linked page not fetched: {page.error or page.outcome}")
    html = decode_body(item.link, page.body, page.content_type)
    if isinstance(html, IngestError):
        return html
    return full_text_article(state.origin, item, page.final_url, html)


# --- many feeds -----------------------------------------------------------------------------------------


def feeds(engine: Engine) -> list[FeedState]:
    with engine.begin() as conn:
        return current_feeds(conn)


def poll_many(
    engine: Engine, feed_ids: list[str], *, force: bool = False, settings: PollSettings = DEFAULT_SETTINGS
) -> list[PollReport]:
    """Poll each feed in turn; one feed's failure never stops the others (an unexpected one is logged with
    its traceback)."""
    reports = []
    for feed_id in feed_ids:
        try:
            reports.append(poll_feed(engine, feed_id, force=force, settings=settings))
        except AccordError as e:
            log.error("poll feed=%s status=failed error=%s", feed_id, _quote(str(e)))
            reports.append(PollReport(feed_id=feed_id, status="error", error=str(e)))
        except Exception as e:  # e.g. the database failing as the poll was recorded: shown in full
            log.exception("poll feed=%s status=failed", feed_id)
            reports.append(
                PollReport(feed_id=feed_id, status="error", error=f"unexpected {type(e).__name__}: {e}")
            )
    return reports


def catch_up_feeds(engine: Engine) -> int:
    with engine.begin() as conn:
        EventLog(conn).lock()
        return FeedProjector(conn).catch_up()


def _log(state: FeedState, report: PollReport) -> None:
    """One structured (logfmt) line per poll."""
    parts = [
        f"feed={state.feed_id}",
        f"url={_quote(state.url)}",
        f"status={report.status}",
        f"http={report.http_status if report.http_status is not None else '-'}",
        f"new={report.new}",
        f"revised={report.revised}",
        f"duplicates={report.duplicate}",
        f"failed={report.failed}",
        f"duration={report.seconds:.3f}s",
    ]
    if report.next_poll_at:
        parts.append(f"next={report.next_poll_at.isoformat()}")
    if report.error:
        parts.append(f"error={_quote(report.error)}")
    if report.warnings:
        parts.append(f"warnings={len(report.warnings)}")
    level = logging.WARNING if report.status in ("error", "gone") else logging.INFO
    log.log(level, "poll " + " ".join(parts))


def _quote(value: str) -> str:
    return value if value and " " not in value and '"' not in value else '"' + value.replace('"', '\\"') + '"'
