"""Offset look-ups that stay logarithmic on long reports: the sentence at an offset, what overlaps a span.

Extraction asks these questions once per mention; scanning every sentence or every earlier mention each
time made a 5 MiB report take many minutes. Spans are half-open ``[start, end)`` character offsets.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from itertools import accumulate, pairwise

from extract.spans import Span


class SentenceIndex:
    """The sentence that holds an offset, among sentences given in text order and not overlapping."""

    def __init__(self, sentences: Sequence[Span]) -> None:
        for before, after in pairwise(sentences):
            if after.start < before.end:
                raise ValueError(f"sentences out of order or overlapping at offset {after.start}")
        self._sentences = sentences
        self._starts = [s.start for s in sentences]

    def at(self, offset: int) -> Span | None:
        """The sentence with ``start <= offset < end``; None when the offset falls between sentences."""
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self._sentences[i].end:
            return self._sentences[i]
        return None


class OverlapIndex:
    """Spans held so far, answering "does ``[start, end)`` overlap any of them?".

    The spans given at construction may overlap one another; spans added later must be non-empty and overlap
    nothing held (the caller adds only what it found free), which keeps them in a plain sorted list. Adding
    is cheapest in text order (an append); out of order it costs a list insertion.
    """

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        fixed = sorted(spans)
        self._starts = [s for s, _ in fixed]
        # _reach[i]: the furthest end among the first i + 1 spans by start.
        self._reach = list(accumulate((e for _, e in fixed), max))
        self._added: list[tuple[int, int]] = []

    def overlaps(self, start: int, end: int) -> bool:
        """Whether some held span ``(x, y)`` has ``x < end and start < y``."""
        i = bisect_left(self._starts, end)
        if i > 0 and self._reach[i - 1] > start:
            return True
        # Added spans are disjoint and sorted, so their ends rise with their starts: only the last span
        # starting before ``end`` can reach past ``start``.
        j = bisect_left(self._added, (end,))
        return j > 0 and self._added[j - 1][1] > start

    def add(self, start: int, end: int) -> None:
        """Hold ``[start, end)``, which must be non-empty and overlap no span held."""
        if end <= start or self.overlaps(start, end):
            raise ValueError(f"span [{start}, {end}) is empty or overlaps a span already held")
        insort(self._added, (start, end))
