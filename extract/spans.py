"""Words and sentences of a report with their offsets, so every fact can point back at its text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# A word: letters (any script) with inner hyphens/apostrophes, or a run of digits.
WORD_RE = re.compile(r"[^\W\d_](?:[\w\u2019'\-]*\w)?\.?|\d+", re.UNICODE)

# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    {
        "mr",
        "ms",
        "mrs",
        "dr",
        "prof",
        "st",
        "sr",
        "jr",
        "gen",
        "col",
        "lt",
        "capt",
        "sgt",
        "gov",
        "sen",
        "rep",
        "amb",
        "h.e",
        "e",
        "h",
        "u.s",
        "u.n",
        "u.k",
        "e.u",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
    }
)


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the report: ``text`` equals ``source[start:end]``."""

    start: int
    end: int
    text: str


def words(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Word tokens of ``text[start:end]`` with absolute offsets; a trailing full stop is dropped."""
    stop = len(text) if end is None else end
    out: list[Span] = []
    for m in WORD_RE.finditer(text, start, stop):
        s, e = m.start(), m.end()
        if text[e - 1] == ".":
            e -= 1
        out.append(Span(s, e, text[s:e]))
    return out


def _ends_sentence(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` closes a sentence (not an abbreviation or an initial)."""
    m = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    token = m.group(1).lower() if m else ""
    if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return False
    nxt = re.match(r"\s*(\S)", text[dot + 1 : dot + 4])
    return not (nxt and nxt.group(1).islower())


def sentences(text: str, start: int, end: int) -> Iterator[Span]:
    """Sentences inside ``text[start:end]``; line breaks between paragraphs also end a sentence."""
    pos = start
    i = start
    while i < end:
        ch = text[i]
        boundary = False
        if ch in "!?" or (ch == "." and _ends_sentence(text, i)):
            boundary = i + 1 >= end or text[i + 1] in " \t\n\"\u201d\u2019'"
        elif ch == "\n":
            boundary = True
        if boundary:
            piece = _trimmed(text, pos, i + 1)
            if piece is not None:
                yield piece
            pos = i + 1
        i += 1
    piece = _trimmed(text, pos, end)
    if piece is not None:
        yield piece


def _trimmed(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end]) if end > start else None


def lines(text: str) -> list[Span]:
    """Every line of ``text`` (without its newline), blank lines included."""
    out: list[Span] = []
    pos = 0
    for raw in text.split("\n"):
        out.append(Span(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out
