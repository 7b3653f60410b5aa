"""HTML → article text with trafilatura: navigation, sidebars and footers are dropped.

The same extraction serves HTML files, the ``html`` field of JSON items and HTML bodies of feed items, so
one page gives the same text whichever way it arrives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.etree  # type: ignore[import-untyped]  # lxml has no type hints
import lxml.html  # type: ignore[import-untyped]
import trafilatura

from accord.errors import IngestError
from ingest.article import Article
from ingest.dates import iso_date

# trafilatura's own date (htmldate) is not used: even without its extensive search it takes the first
# <time> on the page, which is often a sidebar headline's. Only the article's own markup counts.
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{4,40})"')
_META_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
)
_TAG = re.compile(r"<[A-Za-z!/?]")
_PAGE = re.compile(r"<(html|body)\b", re.IGNORECASE)
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre")


@dataclass(frozen=True, kw_only=True)
class HtmlExtract:
    """What a page says once its boilerplate is gone."""

    text: str
    title: str | None
    published: str | None


def looks_like_html(value: str) -> bool:
    """Whether a string carries markup (feeds and JSON mix plain and HTML bodies)."""
    return _TAG.search(value) is not None


def extract_html(markup: str) -> HtmlExtract | None:
    """Article text, title and publication date of an HTML page or fragment; None when no text is found.

    trafilatura judges short snippets to be boilerplate, so a fragment (no ``<html>``/``<body>``, as in
    feed items and JSON ``html`` fields) it rejects falls back to its plain text; a full page does not.
    """
    try:
        document = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
        )
    except (ValueError, TypeError, lxml.etree.LxmlError):
        return None
    text = (getattr(document, "text", None) or "").strip()
    if not text and not _PAGE.search(markup):
        text = _fragment_text(markup)
    if not text:
        return None
    title = (getattr(document, "title", None) or "").strip() or None
    return HtmlExtract(text=text, title=title, published=_stated_date(markup))


def read_html_file(origin: str, content: str) -> Iterator[Article | IngestError]:
    """One article from an HTML file; a page with no extractable article text is an ``IngestError``."""
    if not content.strip():
        yield IngestError(origin, "empty file (only whitespace), no article text")
        return
    extract = extract_html(content)
    if extract is None:
        yield IngestError(
            origin, "no article text found in the HTML (malformed, or only navigation/boilerplate)"
        )
        return
    yield Article(
        source=origin,
        origin=origin,
        item_key=None,
        title=extract.title,
        published=extract.published,
        content_type="text/html",
        raw=content,
        text=extract.text,
    )


def _stated_date(markup: str) -> str | None:
    """The publication date the page's own markup states: meta tag, JSON-LD, or the article's ``<time>``."""
    tree = _parse(markup)
    if tree is None:
        return None
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _META_DATE_KEYS and (value := iso_date(meta.get("content"))):
            return value
    for script in tree.xpath("//script[@type='application/ld+json']"):
        match = _JSON_LD_DATE.search(script.text or "")
        if match and (value := iso_date(match.group(1))):
            return value
    # Sidebars carry <time> elements of other stories, so only the article's own or a marked one counts.
    for time in tree.xpath("//article//time[@datetime] | //time[@itemprop='datePublished'][@datetime]"):
        if value := iso_date(time.get("datetime")):
            return value
    return None


def _fragment_text(markup: str) -> str:
    """The visible text of an HTML fragment, one line per block element."""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, lxml.etree.LxmlError):
        return ""
    for hidden in root.xpath("//script | //style | //template"):
        hidden.drop_tree()
    for block in root.iter(*_BLOCKS):
        block.tail = "\n" + (block.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _parse(markup: str) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True)
    try:
        return lxml.html.document_fromstring(markup.encode("utf-8", "replace"), parser=parser)
    except (ValueError, lxml.etree.LxmlError):
        return None
