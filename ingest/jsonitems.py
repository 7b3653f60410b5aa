"""JSON and JSON Lines articles: ``{url?, title?, published?, id?, text | html}`` items.

A JSON file holds one object, a list of objects, or ``{"items": [...]}``; a JSON Lines file one object per
line. A bad item spoils only itself: the others are still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from accord.errors import IngestError
from ingest.article import Article
from ingest.dates import iso_date
from ingest.html import extract_html


def read_json_file(origin: str, content: str) -> Iterator[Article | IngestError]:
    """Articles from a ``.json`` file; a single object is a single-article file (``item_key`` None)."""
    try:
        document = json.loads(content)
    except json.JSONDecodeError as e:
        yield IngestError(origin, f"malformed JSON: {e.msg} at line {e.lineno} column {e.colno}")
        return
    if isinstance(document, dict) and "items" in document and not _has_body(document):
        document = document["items"]
    if isinstance(document, dict):
        yield _article(origin, origin, document, content, index=None)
        return
    if not isinstance(document, list):
        yield IngestError(origin, 'expected a JSON object, a list of objects or {"items": [...]}')
        return
    if not document:
        yield IngestError(origin, "no items in the JSON file")
        return
    for number, item in enumerate(document, start=1):
        yield _article(origin, origin, item, _canonical(item), index=number, where=f"item {number}: ")


def read_jsonl_file(origin: str, content: str) -> Iterator[Article | IngestError]:
    """Articles from a JSON Lines file; a bad line yields an error naming ``origin:line``, not the file."""
    found = False
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        found = True
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            yield IngestError(f"{origin}:{number}", f"malformed JSON: {e.msg} at column {e.colno}")
            continue
        yield _article(f"{origin}:{number}", origin, item, _canonical(item), index=number)
    if not found:
        yield IngestError(origin, "no items in the JSON Lines file (every line is blank)")


def _article(
    where_origin: str, origin: str, item: Any, raw: str, *, index: int | None, where: str = ""
) -> Article | IngestError:
    """One item → Article; ``where_origin``/``where`` locate errors, ``index`` is the 1-based fallback key."""
    if not isinstance(item, dict):
        return IngestError(where_origin, f"{where}expected a JSON object, got {type(item).__name__}")
    for field in ("url", "title", "published", "id", "guid", "text", "html"):
        if item.get(field) is not None and not isinstance(item[field], str):
            return IngestError(where_origin, f"{where}field {field!r} must be a string")
    url = _nonblank(item.get("url"))
    title = _nonblank(item.get("title"))
    published = iso_date(item.get("published"))
    if isinstance(item.get("text"), str):
        text = item["text"]
    elif isinstance(item.get("html"), str):
        extract = extract_html(item["html"])
        if extract is None:
            return IngestError(where_origin, f"{where}no article text could be extracted from 'html'")
        text = extract.text
        title = title or extract.title
        published = published or extract.published
    else:
        keys = ", ".join(sorted(item)[:8]) or "no fields"
        return IngestError(where_origin, f"{where}item has neither 'text' nor 'html' (it has {keys})")
    if not text.strip():
        return IngestError(where_origin, f"{where}article text is empty")
    key = _nonblank(item.get("id")) or _nonblank(item.get("guid")) or url
    return Article(
        source=url or origin,
        origin=origin,
        item_key=None if index is None else key or f"#{index}",
        title=title,
        published=published,
        content_type="application/json",
        raw=raw,
        text=text,
    )


def _has_body(item: dict[str, Any]) -> bool:
    return "text" in item or "html" in item


def _nonblank(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _canonical(item: Any) -> str:
    """A stable serialisation of one item, so identical items give identical ``raw`` and content hash."""
    return json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
