"""How much a shared word says: rare words ("Kempthorne", "rehab") tell events apart, common ones do not.

The weights come from a static table of general-English word frequencies shipped with the package
(``word_rarity.txt``, built from ``wordfreq`` by ``matcher/build_word_rarity.py``), never from the reports
seen so far, so a pair score still depends only on the two reports (DESIGN.md, "Matcher contract").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib.resources import files

TABLE = "word_rarity.txt"  # in the matcher package (package data), read as a resource
# Words rarer than this Zipf frequency (1 use per million words) are all equally rare: the table leaves
# them out, and a word missing from it counts as this rare.
COMMONEST_RARE_ZIPF = 3.0
# A word as common as this (Zipf 7: "the", "of") or commoner weighs nothing.
WEIGHTLESS_ZIPF = 7.0


@cache
def zipf_table() -> Mapping[str, float]:
    """Folded word -> Zipf frequency (log10 of uses per billion words), read once from the package."""
    text = files("matcher").joinpath(TABLE).read_text(encoding="utf-8")
    table: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            value, *words = line.split()
            table.update(dict.fromkeys(words, float(value)))
    return table


@lru_cache(maxsize=65536)
def weight(word: str) -> float:
    """An IDF-like weight of a folded word: ``WEIGHTLESS_ZIPF`` minus its Zipf frequency, floored at the
    rare end (a word missing from the table weighs ``WEIGHTLESS_ZIPF - COMMONEST_RARE_ZIPF``)."""
    zipf = max(COMMONEST_RARE_ZIPF, zipf_table().get(word, 0.0))
    return max(0.0, WEIGHTLESS_ZIPF - zipf)


@lru_cache(maxsize=8192)
def _squared_norm(words: frozenset[str]) -> float:
    # Each report's word set meets many others: its norm is worth keeping (a frozenset keeps its hash).
    return math.fsum(weight(w) ** 2 for w in words)


def weighted_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of two word sets, each word weighted by ``weight``: 1.0 for the same words, 0.0 for none shared.

    Sharing a rare word counts for more than sharing a common one: with weights squared, one shared word
    of weight 4 counts as much as sixteen of weight 1.
    """
    norm_a, norm_b = _squared_norm(a), _squared_norm(b)
    if not norm_a or not norm_b:
        return 0.0
    # fsum: the exactly rounded sum, whatever order the set yields its words in. A plain sum's last bits
    # followed the set's order, which follows the process's string-hash seed, so two runs could order
    # near-tied candidates differently.
    return math.fsum(weight(w) ** 2 for w in a & b) / math.sqrt(norm_a * norm_b)
