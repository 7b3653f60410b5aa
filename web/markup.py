"""Turning audit values into safe HTML: spans marked in report text, report ids in explanations linked.

Every function escapes the text it is given and returns ``Markup``, so templates never mark anything
safe themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from typing import Any

from markupsafe import Markup, escape

# Article ids are the first 20 hex digits of a SHA-256 (store.events.article_id_for).
ARTICLE_ID = re.compile(r"\b[0-9a-f]{20}\b")


def span_anchor(article_id: str, start: int) -> str:
    """The id of the ``<mark>`` of a span in a report's full text, so a fact can link to it."""
    return f"r-{article_id[:12]}-{start}"


def in_context(text: str, start: int, end: int, *, width: int = 90) -> Markup:
    """The span ``text[start:end]`` marked, with up to ``width`` characters of the text either side."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    return Markup("{}<mark>{}</mark>{}").format(before, text[start:end], after)


def marked(text: str, article_id: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """The whole text with every span marked; overlapping spans become one mark per stretch of text.

    Each stretch that begins a span carries that span's anchor (``span_anchor``).
    """
    valid = sorted({(s, e) for s, e in spans if 0 <= s < e <= len(text)})
    starts = {s for s, _ in valid}
    bounds = sorted({0, len(text), *starts, *(e for _, e in valid)})
    out: list[Markup] = []
    for lo, hi in pairwise(bounds):
        covered = any(s <= lo and hi <= e for s, e in valid)
        if not covered:
            out.append(escape(text[lo:hi]))
        elif lo in starts:
            out.append(Markup('<mark id="{}">{}</mark>').format(span_anchor(article_id, lo), text[lo:hi]))
        else:
            out.append(Markup("<mark>{}</mark>").format(text[lo:hi]))
    return Markup("").join(out)


def link_reports(line: str, reports: Mapping[str, Mapping[str, Any]], href: Callable[[str], str]) -> Markup:
    """An explanation line with each report id replaced by a link to the meeting the report is in now,
    labelled with the report's source (ids of reports not in ``reports`` are left as they are)."""
    out: list[Markup] = []
    last = 0
    for match in ARTICLE_ID.finditer(line):
        report = reports.get(match.group())
        if report is None or not report.get("meeting_id"):
            continue
        out.append(escape(line[last : match.start()]))
        out.append(
            Markup('<a href="{}" title="report {} in {}">{}</a>').format(
                href(report["meeting_id"]),
                match.group(),
                report["meeting_id"],
                source_label(report["source"]),
            )
        )
        last = match.end()
    out.append(escape(line[last:]))
    return Markup("").join(out)


def source_label(source: str) -> str:
    """A short name for a report's source: a file's name, or a URL's host and last path segment."""
    if "://" in source:
        rest = source.split("://", 1)[1].rstrip("/")
        host, _, path = rest.partition("/")
        tail = path.rsplit("/", 1)[-1] if path else ""
        return f"{host}/…/{tail}" if tail and "/" in path else rest
    return source.replace("\\", "/").rsplit("/", 1)[-1]
