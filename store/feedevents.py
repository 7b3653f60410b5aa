"""Feed events: a feed's settings and its polling history, one stream per feed (``feed-<feed_id>``).

Pure values (no database). ``store.events`` imports this module at its end, so every reader of the log
knows these types; the ``feeds`` projection and the feed commands live in ``store.feeds``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from accord.errors import AccordError
from store.events import DomainEvent, register

MIN_EVERY_SECONDS = 60


def feed_stream(feed_id: str) -> str:
    return f"feed-{feed_id}"


def feed_id_for(url: str) -> str:
    """A feed's stable id: a digest of its URL as first added (a later redirect does not change it)."""
    parts = urlsplit(url.strip())
    normal = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))
    return "f" + hashlib.sha256(normal.encode("utf-8")).hexdigest()[:11]


@register
@dataclass(frozen=True, kw_only=True)
class FeedAdded(DomainEvent):
    """Someone asked Accord to poll a feed."""

    TYPE: ClassVar[str] = "FeedAdded"

    feed_id: str
    url: str
    name: str | None
    every_seconds: int
    full_text: bool
    actor: str
    added_at: str  # ISO 8601, aware UTC


@register
@dataclass(frozen=True, kw_only=True)
class FeedChanged(DomainEvent):
    """A feed's settings changed: a permanent redirect moved it, its interval changed, it was paused or
    resumed. Fields left None are unchanged."""

    TYPE: ClassVar[str] = "FeedChanged"

    feed_id: str
    url: str | None = None
    name: str | None = None
    every_seconds: int | None = None
    paused: bool | None = None
    reason: str
    actor: str
    changed_at: str


@register
@dataclass(frozen=True, kw_only=True)
class FeedRemoved(DomainEvent):
    """The feed is no longer polled. Its articles stay in the log."""

    TYPE: ClassVar[str] = "FeedRemoved"

    feed_id: str
    reason: str
    actor: str
    removed_at: str


@register
@dataclass(frozen=True, kw_only=True)
class FeedPolled(DomainEvent):
    """One poll of a feed and what came of it. ``next_poll_at`` already holds backoff and Retry-After."""

    TYPE: ClassVar[str] = "FeedPolled"

    feed_id: str
    url: str
    started_at: str
    finished_at: str
    http_status: int | None
    outcome: str  # "ok" | "not-modified" | "error" | "gone"
    error: str | None
    new: int
    revised: int
    duplicate: int
    failed: int
    etag: str | None
    last_modified: str | None
    error_streak: int
    next_poll_at: str
    warnings: list[str] = field(default_factory=list)  # e.g. a malformed ("bozo") feed that was still read


FEED_EVENT_TYPES = (FeedAdded.TYPE, FeedChanged.TYPE, FeedRemoved.TYPE, FeedPolled.TYPE)


class FeedExistsError(AccordError, ValueError):
    def __init__(self, feed_id: str, url: str, *, paused: bool = False) -> None:
        self.feed_id = feed_id
        self.paused = paused
        state = "already added and paused" if paused else "already added"
        super().__init__(f"feed {feed_id} ({url}) is {state}; 'accord feeds list' shows it")


class BadFeedSettingError(AccordError, ValueError):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
