"""Which of many fixed strings occur inside a text, found in one pass over the text (Aho-Corasick).

Asking ``needle in haystack`` for every needle costs needles x haystack; on a long report both grow with
its length (every organisation mention against every participant's role).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


class SubstringFinder:
    """Built once over the needles; ``found_in`` then costs the haystack's length plus what it finds."""

    def __init__(self, needles: Iterable[str]) -> None:
        self._has_empty = False
        # A trie over the needles: node 0 is the root; _ends[node] is the needle spelt by the path to it.
        self._goto: list[dict[str, int]] = [{}]
        self._ends: list[str | None] = [None]
        for needle in needles:
            if not needle:
                self._has_empty = True
                continue
            node = 0
            for ch in needle:
                child = self._goto[node].get(ch)
                if child is None:
                    child = len(self._goto)
                    self._goto[node][ch] = child
                    self._goto.append({})
                    self._ends.append(None)
                node = child
            self._ends[node] = needle
        self._link_suffixes()

    def _link_suffixes(self) -> None:
        """_fail[node]: the node of the longest proper suffix of node's path that is in the trie;
        _out[node]: the nearest node along that chain that ends a needle (0: none)."""
        self._fail = [0] * len(self._goto)
        self._out = [0] * len(self._goto)
        queue = deque(self._goto[0].values())
        while queue:
            node = queue.popleft()
            for ch, child in self._goto[node].items():
                fail = self._fail[node]
                while fail and ch not in self._goto[fail]:
                    fail = self._fail[fail]
                target = self._goto[fail].get(ch, 0)
                self._fail[child] = target
                self._out[child] = target if self._ends[target] is not None else self._out[target]
                queue.append(child)

    def found_in(self, haystack: str) -> set[str]:
        """The needles that occur in ``haystack`` (the empty needle occurs in every string)."""
        found: set[str] = {""} if self._has_empty else set()
        reported: set[int] = set()
        goto, fail, out, ends = self._goto, self._fail, self._out, self._ends
        node = 0
        for ch in haystack:
            while node and ch not in goto[node]:
                node = fail[node]
            node = goto[node].get(ch, 0)
            hit = node if ends[node] is not None else out[node]
            # A node reported once has had its whole suffix chain reported too.
            while hit and hit not in reported:
                reported.add(hit)
                needle = ends[hit]
                if needle is not None:
                    found.add(needle)
                hit = out[hit]
        return found
