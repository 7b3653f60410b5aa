"""Plain-text articles: the whole file is the text; an agency dateline gives the publication date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from accord.errors import IngestError
from ingest.article import Article

# Agency wire style: " date 2021-10-15 BAKU, Azerbaijan, Oct. 15 ..." on the first line.
_DATELINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")
_SENTENCE_END = re.compile(r"[.!?:;,…]$")
_HEADLINE_WORDS = range(4, 21)


def read_text_file(origin: str, content: str) -> Iterator[Article | IngestError]:
    """One article from a plain-text file; ``origin`` is the path as given."""
    if not content.strip():
        yield IngestError(origin, "empty file (only whitespace), no article text")
        return
    yield Article(
        source=origin,
        origin=origin,
        item_key=None,
        title=headline(content),
        published=dateline_date(content),
        content_type="text/plain",
        raw=content,
        text=content,
    )


def dateline_date(text: str) -> str | None:
    """The ISO date of an agency dateline on the first non-empty line (`` date 2021-10-15 BAKU, ...``)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    match = _DATELINE.match(first)
    if match is None:
        return None
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def headline(text: str) -> str | None:
    """The first line when it is obviously a headline, else None.

    Obvious means: 4 to 20 words, no sentence punctuation at the end, not a dateline, and set apart from the
    body by a blank line. Breadcrumbs ("Home") and first sentences therefore stay out.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or start + 2 >= len(lines):
        return None
    first = lines[start].strip()
    if lines[start + 1].strip() or _DATELINE.match(first) or _SENTENCE_END.search(first):
        return None
    if len(first.split()) not in _HEADLINE_WORDS or not any(line.strip() for line in lines[start + 2 :]):
        return None
    return first
