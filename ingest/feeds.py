"""RSS (0.9x, 1.0, 2.0) and Atom files via feedparser: each item is one article.

A feed feedparser can still read despite errors (``bozo``) is accepted; one it cannot read is an error.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.etree  # type: ignore[import-untyped]  # lxml has no type hints

from accord.errors import IngestError
from ingest.article import Article
from ingest.dates import iso_date
from ingest.html import extract_html, looks_like_html

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# An HTML page: after an optional XML declaration and comments, an HTML doctype or <html> element.
_HTML_PAGE = re.compile(
    r"^\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html\b|<html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_ITEM_TAGS = frozenset({"item", "entry"})


@dataclass(frozen=True, kw_only=True)
class ParsedFeed:
    """A feed feedparser could read: its entries with each one's own raw XML, in document order."""

    entries: list[tuple[Any, str]]  # (feedparser entry, raw item XML or canonical JSON of the entry)
    content_type: str
    bozo: str | None  # why feedparser flagged the feed as malformed, when it still read it


def parse_feed(origin: str, content: str) -> ParsedFeed | IngestError:
    """Parse an RSS or Atom document (already decoded text); an unreadable one is an ``IngestError``."""
    if not content.strip():
        return IngestError(origin, "empty file (only whitespace), no feed")
    # The text is decoded already: tell feedparser so, or an encoding declaration would decode it twice.
    feed = feedparser.parse(
        io.BytesIO(content.encode("utf-8", "replace")),
        response_headers={"content-type": "application/xml; charset=utf-8"},
    )
    if not feed.get("version") or (feed.get("bozo") and not feed.entries):
        if _HTML_PAGE.match(content):
            # Most often a site's home or error page where the feed used to be; HTML is rarely valid XML,
            # and "malformed XML" would send the reader looking for the wrong fault.
            return IngestError(origin, "an HTML page, not an RSS or Atom feed")
        reason = feed.get("bozo_exception")
        problem = f"malformed XML ({reason})" if feed.get("bozo") else "not an RSS or Atom feed"
        return IngestError(origin, problem)
    content_type = "application/atom+xml" if feed.version.startswith("atom") else "application/rss+xml"
    fragments = _item_fragments(content, len(feed.entries))
    entries = [
        (entry, fragments[i] if fragments else _canonical(entry)) for i, entry in enumerate(feed.entries)
    ]
    bozo = str(feed.get("bozo_exception") or "malformed") if feed.get("bozo") else None
    return ParsedFeed(entries=entries, content_type=content_type, bozo=bozo)


def read_feed_file(origin: str, content: str) -> Iterator[Article | IngestError]:
    """Articles from an RSS or Atom file; ``content`` is already decoded text."""
    parsed = parse_feed(origin, content)
    if isinstance(parsed, IngestError):
        yield parsed
        return
    if not parsed.entries:
        yield IngestError(origin, "feed has no items")
        return
    for number, (entry, raw) in enumerate(parsed.entries, start=1):
        yield article_from_entry(origin, entry, number, raw, parsed.content_type)


def article_from_entry(
    origin: str, entry: Any, number: int, raw: str, content_type: str
) -> Article | IngestError:
    """One feed entry as an article (item key: GUID, else link, else its number)."""
    link = _url(entry.get("link"))
    key = _nonblank(entry.get("id")) or link or f"#{number}"
    body = _body(entry)
    if body is None:
        return IngestError(origin, f"item {number} ({key}): no content, description or summary")
    text = body
    if looks_like_html(body):
        extract = extract_html(body)
        text = extract.text if extract else ""
    if not text.strip():
        return IngestError(origin, f"item {number} ({key}): article text is empty after extraction")
    return Article(
        source=link or origin,
        origin=origin,
        item_key=key,
        title=_nonblank(entry.get("title")),
        # Atom requires only <updated>; it is the best date such an entry offers.
        # dict.get: feedparser's own get() silently maps missing keys onto each other, with a warning.
        published=iso_date(dict.get(entry, "published")) or iso_date(dict.get(entry, "updated")),
        content_type=content_type,
        raw=raw,
        text=text.strip(),
    )


def _body(entry: Any) -> str | None:
    """The fullest body an item has: content:encoded / Atom content, else description / summary."""
    for part in entry.get("content") or ():
        value = part.get("value")
        if isinstance(value, str) and value.strip():
            return value
    summary = entry.get("summary")
    return summary if isinstance(summary, str) and summary.strip() else None


def _item_fragments(content: str, expected: int) -> list[str] | None:
    """Each item's own XML, in document order; None when they cannot be matched to feedparser's entries."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(_XML_DECLARATION.sub("", content, count=1), parser=parser)
    except (ValueError, lxml.etree.LxmlError):
        return None
    items = [
        lxml.etree.tostring(element, encoding="unicode", with_tail=False)
        for element in root.iter()
        if isinstance(element.tag, str) and lxml.etree.QName(element).localname in _ITEM_TAGS
    ]
    return items if len(items) == expected else None


def _canonical(entry: Any) -> str:
    fields = ("id", "link", "title", "published", "updated", "content", "summary")
    return json.dumps(
        {name: dict.get(entry, name) for name in fields}, sort_keys=True, ensure_ascii=False, default=str
    )


def _url(value: Any) -> str | None:
    """An item link that is a web address; feedparser copies a non-URL ``<guid>`` into ``link``."""
    link = _nonblank(value)
    return link if link and urlsplit(link).scheme in ("http", "https") else None


def _nonblank(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None
