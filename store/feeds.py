"""Feeds as data: the feed events, one stream per feed (``feed-<feed_id>``), and the ``feeds`` projector.

A feed's settings and its polling history live only in the log. The ``feeds`` table is folded from these
events by ``store.feedfold`` (pure) and written here with its checkpoint in the caller's transaction, so
``accord rebuild`` recreates it bit-identically. The event types are in ``store.feedevents``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, insert, select

from accord.errors import NotFoundError, ProjectionsOutdatedError
from ingest.http import url_problem
from store.eventlog import EventLog
from store.events import DomainEvent, NewEvent, StoredEvent, utcnow
from store.feedevents import (
    FEED_EVENT_TYPES,
    MIN_EVERY_SECONDS,
    BadFeedSettingError,
    FeedAdded,
    FeedChanged,
    FeedExistsError,
    FeedRemoved,
    feed_id_for,
    feed_stream,
)
from store.schema import Checkpoint, FeedRow

if TYPE_CHECKING:
    from store.feedfold import FeedState

NAME = "feeds"
VERSION = "feeds-1"  # of ``store.feedfold`` and the table: bump it as ``store.projections.VERSION``
BATCH = 2000


# --- the projector --------------------------------------------------------------------------------------

_COLUMNS = tuple(c.name for c in FeedRow.__table__.columns)


class FeedProjector:
    """Catches the ``feeds`` table up with the log, inside the caller's transaction (which should hold the
    log's append lock, as every projector's writer does, so two catch-ups never interleave)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.log = EventLog(conn)

    def checkpoint(self) -> int:
        """Where the table is in the log; raises ProjectionsOutdatedError if another fold wrote it."""
        row = self.conn.execute(
            select(Checkpoint.position, Checkpoint.version).where(Checkpoint.name == NAME)
        ).first()
        if row is None:
            return 0
        if row.version != VERSION:
            raise ProjectionsOutdatedError(NAME, row.version, VERSION)
        return int(row.position)

    def catch_up(self, *, batch: int = BATCH) -> int:
        """Fold every feed event after the checkpoint. Returns how many events were folded."""
        from store.feedfold import apply_feed_event

        done = 0
        position = self.checkpoint()
        while events := self.log.read(after=position, limit=batch, types=FEED_EVENT_TYPES):
            states: dict[str, FeedState | None] = {}
            for stored in events:
                event = stored.domain()
                feed_id: str = event.feed_id  # type: ignore[attr-defined]
                if feed_id not in states:
                    states[feed_id] = self.load(feed_id)
                states[feed_id] = apply_feed_event(states[feed_id], stored.position, event)
            self._write(states)
            position = events[-1].position
            done += len(events)
        if done:
            self.conn.execute(delete(Checkpoint).where(Checkpoint.name == NAME))
            self.conn.execute(insert(Checkpoint).values(name=NAME, position=position, version=VERSION))
        return done

    def load(self, feed_id: str) -> FeedState | None:
        from store.feedfold import FeedState

        row = self.conn.execute(select(FeedRow).where(FeedRow.feed_id == feed_id)).first()
        return None if row is None else FeedState(**{c: row._mapping[c] for c in _COLUMNS})

    def all(self) -> list[FeedState]:
        from store.feedfold import FeedState

        rows = self.conn.execute(select(FeedRow).order_by(FeedRow.added_at, FeedRow.feed_id))
        return [FeedState(**{c: r._mapping[c] for c in _COLUMNS}) for r in rows]

    def _write(self, states: dict[str, FeedState | None]) -> None:
        ids = sorted(states)
        if ids:
            self.conn.execute(delete(FeedRow).where(FeedRow.feed_id.in_(ids)))
        rows = [s.row() for s in states.values() if s is not None]
        if rows:
            self.conn.execute(insert(FeedRow), rows)


# --- writing feed events ---------------------------------------------------------------------------------


def append_feed_events(
    conn: Connection,
    feed_id: str,
    events: Sequence[DomainEvent],
    *,
    metadata: dict[str, str] | None = None,
    expected_version: int | None = None,
) -> list[StoredEvent]:
    """Append events to a feed's stream and fold them into ``feeds``, in the caller's transaction.

    ``expected_version`` is the stream version the caller's decision was based on (``ConcurrencyError``
    if the stream moved since)."""
    stored = EventLog(conn).append(
        [
            NewEvent(
                stream_id=feed_stream(feed_id),
                event=event,
                metadata=dict(metadata or {}),
                expected_version=expected_version if i == 0 else None,
            )
            for i, event in enumerate(events)
        ]
    )
    FeedProjector(conn).catch_up()
    return stored


def current_feeds(conn: Connection) -> list[FeedState]:
    """Every feed, after catching the projection up (takes the append lock for this transaction)."""
    EventLog(conn).lock()
    projector = FeedProjector(conn)
    projector.catch_up()
    return projector.all()


def resolve_feed(conn: Connection, key: str) -> FeedState:
    """A feed by id, unique id prefix, or URL."""
    feeds = current_feeds(conn)
    exact = [f for f in feeds if key in (f.feed_id, f.url, f.origin)]
    found = exact or [f for f in feeds if f.feed_id.startswith(key)]
    if len(found) != 1:
        raise NotFoundError("feed" if not found else "unique feed for", key)
    return found[0]


def add_feed(
    conn: Connection,
    url: str,
    *,
    name: str | None = None,
    every_seconds: int = 900,
    full_text: bool = False,
    actor: str = "cli",
    now: datetime | None = None,
) -> FeedState:
    """Add a feed (http or https URL, polled every ``every_seconds``).

    A URL that could not be fetched is refused (``BadFeedSettingError``); a feed already added, under
    the URL it was added with or the one it has moved to, is ``FeedExistsError`` (``paused`` says
    whether ``resume_feed`` would bring it back)."""
    url = url.strip()
    if problem := url_problem(url):
        raise BadFeedSettingError(f"not an http(s) URL: {url!r} ({problem})")
    if every_seconds < MIN_EVERY_SECONDS:
        raise BadFeedSettingError(f"interval {every_seconds}s is under the minimum of {MIN_EVERY_SECONDS}s")
    feed_id = feed_id_for(url)
    same = next((f for f in current_feeds(conn) if f.feed_id == feed_id or f.url == url), None)
    if same is not None:
        raise FeedExistsError(same.feed_id, same.url, paused=same.paused)
    event = FeedAdded(
        feed_id=feed_id,
        url=url,
        name=name,
        every_seconds=every_seconds,
        full_text=full_text,
        actor=actor,
        added_at=(now or utcnow()).isoformat(),
    )
    return _append_and_load(conn, feed_id, event, actor)


def add_or_resume_feed(
    conn: Connection,
    url: str,
    *,
    name: str | None = None,
    every_seconds: int = 900,
    full_text: bool = False,
    actor: str = "cli",
    now: datetime | None = None,
) -> tuple[FeedState, str]:
    """``add_feed``, except that adding a feed paused after ``410 Gone`` again resumes it, with its
    settings as they were. Returns the feed and what was done: "added" or "resumed"; a feed already
    added and polling is ``FeedExistsError``."""
    try:
        feed = add_feed(
            conn, url, name=name, every_seconds=every_seconds, full_text=full_text, actor=actor, now=now
        )
    except FeedExistsError as e:
        if not e.paused:
            raise
        return resume_feed(conn, e.feed_id, actor=actor, reason="resumed: added again", now=now), "resumed"
    return feed, "added"


def resume_feed(
    conn: Connection, key: str, *, actor: str = "cli", reason: str = "resumed", now: datetime | None = None
) -> FeedState:
    """Poll a paused feed again (paused after ``410 Gone``), at once. One that is not paused is left
    as it is."""
    feed = resolve_feed(conn, key)
    if not feed.paused:
        return feed
    event = FeedChanged(
        feed_id=feed.feed_id,
        paused=False,
        reason=reason,
        actor=actor,
        changed_at=(now or utcnow()).isoformat(),
    )
    return _append_and_load(conn, feed.feed_id, event, actor)


def _append_and_load(conn: Connection, feed_id: str, event: FeedAdded | FeedChanged, actor: str) -> FeedState:
    """Append one event of the feed's and return the feed as the projection now holds it."""
    append_feed_events(conn, feed_id, [event], metadata={"actor": actor})
    state = FeedProjector(conn).load(feed_id)
    if state is None:  # pragma: no cover - the fold just wrote it
        raise NotFoundError("feed", feed_id)
    return state


def remove_feed(
    conn: Connection, key: str, *, actor: str = "cli", reason: str = "removed", now: datetime | None = None
) -> FeedState:
    feed = resolve_feed(conn, key)
    event = FeedRemoved(
        feed_id=feed.feed_id, reason=reason, actor=actor, removed_at=(now or utcnow()).isoformat()
    )
    append_feed_events(conn, feed.feed_id, [event], metadata={"actor": actor})
    return feed
