"""A fetched feed → items with stable identities. RSS/Atom (through ``ingest.feeds``), JSON Feed 1.0/1.1,
full-text pages, and OPML lists of feeds. Pure: bytes and strings in, values out.

An item's identity (``item_key``) is its GUID, else its canonical link (tracking parameters removed,
scheme and host lower-cased, trailing slash normalised), else a fingerprint of its content. A feed that
gives one GUID (or link) to several different items in a document keeps every item: the colliding ones
are told apart by their link, then by their fingerprint. Identical items in one document count once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import lxml.etree  # type: ignore[import-untyped]  # lxml has no type hints

from accord.errors import IngestError
from ingest.article import Article
from ingest.dates import iso_date
from ingest.decoding import decode
from ingest.feeds import article_from_entry, parse_feed
from ingest.html import extract_html, looks_like_html

JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl|ref_src|cmpid|mkt_tok)$",
    re.IGNORECASE,
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, kw_only=True)
class FeedItem:
    """One item of a feed. ``article`` is the item as the feed alone gives it (or why it could not be)."""

    key: str
    link: str | None
    title: str | None
    published: str | None
    article: Article | IngestError


@dataclass(frozen=True, kw_only=True)
class FeedDocument:
    items: list[FeedItem]
    warnings: list[str]


# --- identity -------------------------------------------------------------------------------------------


def canonical_link(url: str | None) -> str | None:
    """The link without tracking parameters or fragment, scheme and host lower-cased, default port and
    trailing slash dropped; None for anything but an http(s) URL."""
    if not url or not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path.rstrip("/") or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def fingerprint(*parts: str | None) -> str:
    """A digest of an item's content (whitespace-insensitive): its identity when it has no GUID or link."""
    text = "\n".join(" ".join((p or "").split()) for p in parts)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, kw_only=True)
class _Candidate:
    guid: str | None
    link: str | None
    title: str | None
    published: str | None
    article: Article | IngestError

    @property
    def print(self) -> str:
        text = self.article.text if isinstance(self.article, Article) else self.article.problem
        return fingerprint(self.title, text)


def _assign_keys(candidates: Sequence[_Candidate]) -> list[FeedItem]:
    """GUID, else canonical link, else fingerprint; collisions inside the document are refined by link,
    then by fingerprint; exact repeats (same key and content) are kept once."""
    keys = [c.guid or c.link or c.print for c in candidates]
    refiners: tuple[Callable[[_Candidate], str | None], ...] = (lambda c: c.link, lambda c: c.print)
    for refine in refiners:
        counts: dict[str, int] = {}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        keys = [
            f"{key} {extra}" if counts[key] > 1 and (extra := refine(c)) and extra not in key else key
            for key, c in zip(keys, candidates, strict=True)
        ]
    items: list[FeedItem] = []
    seen: set[str] = set()
    for key, c in zip(keys, candidates, strict=True):
        if key in seen:
            continue
        seen.add(key)
        article = c.article
        if isinstance(article, Article):
            article = dataclasses.replace(article, item_key=key, source=c.link or article.source)
        items.append(FeedItem(key=key, link=c.link, title=c.title, published=c.published, article=article))
    return items


# --- documents ------------------------------------------------------------------------------------------


def decode_body(origin: str, body: bytes, content_type: str | None) -> str | IngestError:
    """The body as text: the HTTP charset when the server names one, else BOM / XML or HTML declaration /
    strict UTF-8 (``ingest.decoding``)."""
    match = _CHARSET.search(content_type or "")
    try:
        if match:
            try:
                return body.decode(match.group(1)).lstrip("\ufeff")
            except LookupError:
                pass  # an unknown charset name: fall back to what the document says
        return decode(origin, body, markup=True)
    except UnicodeDecodeError as e:
        return IngestError(origin, f"not {match.group(1) if match else 'UTF-8'} as declared ({e.reason})")
    except IngestError as e:
        return e


def read_feed_document(
    origin: str, body: bytes, content_type: str | None = None
) -> FeedDocument | IngestError:
    """Every item of an RSS, Atom or JSON Feed document. An unreadable document is one ``IngestError``; a
    malformed one that could still be read is accepted with a warning."""
    text = decode_body(origin, body, content_type)
    if isinstance(text, IngestError):
        return text
    if "json" in (content_type or "").lower() or text.lstrip().startswith("{"):
        return _json_feed(origin, text)
    parsed = parse_feed(origin, text)
    if isinstance(parsed, IngestError):
        return parsed
    candidates = []
    for number, (entry, raw) in enumerate(parsed.entries, start=1):
        article = article_from_entry(origin, entry, number, raw, parsed.content_type)
        link = canonical_link(entry.get("link"))
        guid = _nonblank(entry.get("id"))
        title = _nonblank(entry.get("title"))
        published = iso_date(dict.get(entry, "published")) or iso_date(dict.get(entry, "updated"))
        candidates.append(_Candidate(guid=guid, link=link, title=title, published=published, article=article))
    warnings = [f"malformed feed, read anyway: {parsed.bozo}"] if parsed.bozo else []
    return FeedDocument(items=_assign_keys(candidates), warnings=warnings)


def _json_feed(origin: str, text: str) -> FeedDocument | IngestError:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return IngestError(origin, f"malformed JSON ({e.msg} at line {e.lineno})")
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(JSON_FEED_VERSIONS[0]):
        return IngestError(origin, "JSON but not a JSON Feed (no https://jsonfeed.org/version/1 'version')")
    items = data.get("items")
    if not isinstance(items, list):
        return IngestError(origin, "JSON Feed without an 'items' list")
    candidates = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        guid = _nonblank(str(item["id"])) if item.get("id") is not None else None
        link = canonical_link(item.get("url")) or canonical_link(item.get("external_url"))
        title = _nonblank(item.get("title"))
        published = iso_date(item.get("date_published")) or iso_date(item.get("date_modified"))
        article = _json_item_article(
            origin, item, number, guid or link or f"#{number}", link, title, published
        )
        candidates.append(_Candidate(guid=guid, link=link, title=title, published=published, article=article))
    return FeedDocument(items=_assign_keys(candidates), warnings=[])


def _json_item_article(
    origin: str,
    item: dict[str, Any],
    number: int,
    key: str,
    link: str | None,
    title: str | None,
    published: str | None,
) -> Article | IngestError:
    html = _nonblank(item.get("content_html"))
    plain = _nonblank(item.get("content_text")) or _nonblank(item.get("summary"))
    text = None
    if html:
        extract = extract_html(html) if looks_like_html(html) else None
        text = extract.text if extract else html
    text = text or plain
    if not text:
        return IngestError(origin, f"item {number} ({key}): no content_html, content_text or summary")
    return Article(
        source=link or origin,
        origin=origin,
        item_key=key,
        title=title,
        published=published,
        content_type="application/feed+json",
        raw=json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        text=text.strip(),
    )


def full_text_article(origin: str, item: FeedItem, page_url: str, page: str) -> Article | IngestError:
    """The item with the text of its linked page (``--full-text``), extracted as HTML files are."""
    extract = extract_html(page)
    if extract is None:
        return IngestError(page_url, "linked page has no article text (only navigation/boilerplate?)")
    return Article(
        source=item.link or page_url,
        origin=origin,
        item_key=item.key,
        title=item.title or extract.title,
        published=item.published or extract.published,
        content_type="text/html",
        raw=page,
        text=extract.text,
    )


# --- OPML -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OpmlFeed:
    url: str
    name: str | None


def read_opml(origin: str, data: bytes) -> list[OpmlFeed] | IngestError:
    """The feeds an OPML file lists (every ``outline`` with an ``xmlUrl``, at any depth)."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser=parser)
    except (ValueError, lxml.etree.LxmlError) as e:
        return IngestError(origin, f"malformed OPML ({e})")
    if root.tag != "opml":
        return IngestError(origin, f"not OPML (root element is <{root.tag}>)")
    return [
        OpmlFeed(url=o.get("xmlUrl").strip(), name=_nonblank(o.get("title")) or _nonblank(o.get("text")))
        for o in root.iter("outline")
        if _nonblank(o.get("xmlUrl"))
    ]


def write_opml(feeds: Iterable[OpmlFeed], *, title: str = "Accord feeds") -> str:
    opml = lxml.etree.Element("opml", version="2.0")
    head = lxml.etree.SubElement(opml, "head")
    lxml.etree.SubElement(head, "title").text = title
    body = lxml.etree.SubElement(opml, "body")
    for feed in feeds:
        name = feed.name or feed.url
        lxml.etree.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=feed.url)
    xml: bytes = lxml.etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml.decode("utf-8")


def _nonblank(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None
