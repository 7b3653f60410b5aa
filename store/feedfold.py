"""The pure fold of a feed's events into its row of the ``feeds`` projection. Values in, values out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from store.events import DomainEvent
from store.feedevents import FeedAdded, FeedChanged, FeedPolled, FeedRemoved


@dataclass(frozen=True, kw_only=True)
class FeedState:
    """One feed as its events describe it; the fields are the columns of ``feeds``."""

    feed_id: str
    url: str  # where it is fetched now (a permanent redirect moves it)
    origin: str  # the URL as added: the origin of its articles, so their identity survives a move
    name: str | None
    every_seconds: int
    full_text: bool
    paused: bool
    pause_reason: str | None
    added_at: datetime
    added_by: str
    last_polled_at: datetime | None
    last_status: int | None
    last_outcome: str | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    error_streak: int
    next_poll_at: datetime | None
    items_seen: int
    items_new: int
    etag: str | None
    last_modified: str | None
    last_position: int

    def row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def due(self, now: datetime) -> bool:
        return not self.paused and (self.next_poll_at is None or self.next_poll_at <= now)


def apply_feed_event(state: FeedState | None, position: int, event: DomainEvent) -> FeedState | None:
    """The state after one event; None once the feed is removed. Events of other types change nothing."""
    if isinstance(event, FeedAdded):
        return FeedState(
            feed_id=event.feed_id,
            url=event.url,
            origin=event.url,
            name=event.name,
            every_seconds=event.every_seconds,
            full_text=event.full_text,
            paused=False,
            pause_reason=None,
            added_at=datetime.fromisoformat(event.added_at),
            added_by=event.actor,
            last_polled_at=None,
            last_status=None,
            last_outcome=None,
            last_success_at=None,
            last_error_at=None,
            last_error=None,
            error_streak=0,
            next_poll_at=None,
            items_seen=0,
            items_new=0,
            etag=None,
            last_modified=None,
            last_position=position,
        )
    if state is None:
        return None  # an event about a feed that was removed: nothing to show
    if isinstance(event, FeedRemoved):
        return None
    if isinstance(event, FeedChanged):
        changes: dict[str, Any] = {"last_position": position}
        if event.url is not None:
            # A moved feed's old validators belong to the old address.
            changes.update(url=event.url, etag=None, last_modified=None)
        if event.name is not None:
            changes["name"] = event.name
        if event.every_seconds is not None:
            changes["every_seconds"] = event.every_seconds
        if event.paused is not None:
            changes.update(paused=event.paused, pause_reason=event.reason if event.paused else None)
            if not event.paused:
                changes["next_poll_at"] = None  # resumed: poll at once
        return dataclasses.replace(state, **changes)
    if isinstance(event, FeedPolled):
        finished = datetime.fromisoformat(event.finished_at)
        succeeded = event.outcome in ("ok", "not-modified")
        return dataclasses.replace(
            state,
            last_polled_at=finished,
            last_status=event.http_status,
            last_outcome=event.outcome,
            last_success_at=finished if succeeded else state.last_success_at,
            last_error_at=state.last_error_at if succeeded else finished,
            last_error=state.last_error if succeeded else event.error,
            error_streak=event.error_streak,
            next_poll_at=datetime.fromisoformat(event.next_poll_at),
            items_seen=state.items_seen + event.new + event.revised + event.duplicate + event.failed,
            items_new=state.items_new + event.new,
            etag=event.etag if succeeded else state.etag,
            last_modified=event.last_modified if succeeded else state.last_modified,
            last_position=position,
        )
    return state
