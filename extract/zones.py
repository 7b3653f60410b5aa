"""Which parts of a page dump are the report: breadcrumbs, counters and headline lists are cut away.

Web pages saved as text start with navigation (``Home``, ``\\``, a section name, the headline again, a view
counter) and end with lists of unrelated dated headlines under a heading such as "Last news". Neither is the
report, so no fact may come from them. The rules are about the shape of lines, not about any site.
"""

from __future__ import annotations

import re

from extract.spans import Span, lines

# A line that is a sentence: ends with sentence punctuation, or is long enough to be prose.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"\u201d\u2019')]*\s*$")
_MAX_HEADER_WORDS = 16
# Headlines rarely end with a full stop; a list where more than this share of lines do is prose.
_LIST_PROSE_SHARE = 0.2
# Blanks around the colon are possessive ("\s*+"): the same lines match as with "\s*", but a long run of
# blanks after a heading word is not split every possible way between the two before the line fails.
_LIST_HEADING = re.compile(
    r"^\s*(?:(?:the\s+)?(?:last|latest|recent|related|more|other|top|popular|most\s+read|see\s+also|"
    r"read\s+(?:more|also)|also\s+read|you\s+may\s+also\s+like)(?:\s+(?:news|stories|articles|posts|"
    r"headlines|materials|publications|on\s+this\s+topic))?)\s*+:?\s*+$",
    re.IGNORECASE,
)
_INLINE_NOISE = re.compile(r"^\s*(?:read\s+(?:more|also)|see\s+also|also\s+read)\s*:", re.IGNORECASE)
# A line of digits, blanks and date or number punctuation, whole. (Written "^\s*[...]*\s*$" it meant the same,
# blanks being in the class, but took time cubic in a run of leading blanks.)
_NUMBER_ONLY = re.compile(r"[\d\s.,:/\-]*")


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    n_words = len(stripped.split())
    if n_words > _MAX_HEADER_WORDS:
        return True
    return bool(_SENTENCE_END.search(stripped)) and n_words >= 4


def _header_end(all_lines: list[Span]) -> int:
    """Index of the first prose line; everything before it is page furniture."""
    for i, ln in enumerate(all_lines):
        if _is_prose(ln.text):
            return i
    return 0


def _footer_start(all_lines: list[Span], first: int) -> int:
    """Index of the first line of a trailing headline list or trailing furniture."""
    end = len(all_lines)
    prose_after: _ProseAfter | None = None
    for i in range(first, len(all_lines)):
        if not _LIST_HEADING.match(all_lines[i].text):
            continue
        if prose_after is None:
            prose_after = _ProseAfter(all_lines)
        if not prose_after(i + 1):
            end = i
            break
    # Trailing short non-sentence lines ("top-arrow", "Share") are furniture too.
    while end > first and not _is_prose(all_lines[end - 1].text):
        end -= 1
    return end


class _ProseAfter:
    """Whether sentences follow line ``i``, i.e. a heading there does not start a list of headlines and
    dates. Counted once from the end, so a page with many such headings is not rescanned for each."""

    def __init__(self, all_lines: list[Span]) -> None:
        # _filled[i], _sentences[i]: non-blank lines, and those that are sentences, from line i on.
        self._filled = [0] * (len(all_lines) + 1)
        self._sentences = [0] * (len(all_lines) + 1)
        for i in range(len(all_lines) - 1, -1, -1):
            line = all_lines[i].text.strip()
            sentence = bool(_SENTENCE_END.search(line)) and len(line.split()) >= 4
            self._filled[i] = self._filled[i + 1] + bool(line)
            self._sentences[i] = self._sentences[i + 1] + sentence

    def __call__(self, i: int) -> bool:
        return self._sentences[i] > _LIST_PROSE_SHARE * self._filled[i]


def body_zones(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) offsets of the report's own text, in order; empty when nothing is prose."""
    all_lines = lines(text)
    first = _header_end(all_lines)
    last = _footer_start(all_lines, first)
    zones: list[tuple[int, int]] = []
    for ln in all_lines[first:last]:
        s, e = ln.start, ln.end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s or _INLINE_NOISE.match(ln.text) or _NUMBER_ONLY.fullmatch(ln.text):
            continue
        if zones and _only_space(text, zones[-1][1], s):
            zones[-1] = (zones[-1][0], e)
        else:
            zones.append((s, e))
    return tuple(zones)


def _only_space(text: str, a: int, b: int) -> bool:
    return not text[a:b].strip()


def header_lines(text: str, body: tuple[tuple[int, int], ...]) -> list[Span]:
    """Non-blank lines before the body (where publication lines and datelines live)."""
    limit = body[0][0] if body else len(text)
    return [ln for ln in lines(text) if ln.end <= limit and ln.text.strip()]


def in_zones(start: int, end: int, zones: tuple[tuple[int, int], ...]) -> bool:
    return any(a <= start and end <= b for a, b in zones)
