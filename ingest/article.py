"""The value every reader returns: one article, as received."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def content_hash(raw: str) -> str:
    """SHA-256 of the raw content (UTF-8), hex."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class Article:
    """One article as a source delivered it.

    ``source`` is exactly what the user gave (a path as typed, or an item's own URL when a feed or JSON
    item carries one); ``origin`` is the file or feed the article came from, as given; ``item_key``
    identifies the item inside a multi-item origin (GUID, URL or index) and is None for single-article
    files. ``text`` is the article text that extraction reads: every fact span indexes into it, and it is
    stored in the event, so quotes can always be checked. ``raw`` is the content as received (decoded).
    """

    source: str
    origin: str
    item_key: str | None
    title: str | None
    published: str | None  # ISO 8601 date or datetime, as precise as the source says
    content_type: str  # "text/plain", "text/html", "application/json", "application/rss+xml"
    raw: str
    text: str

    @property
    def content_hash(self) -> str:
        return content_hash(self.raw)
