"""Word rarity from the shipped frequency table, and the rarity-weighted cosine the text feature uses."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from matcher import rarity
from matcher.rarity import COMMONEST_RARE_ZIPF, WEIGHTLESS_ZIPF, weight, weighted_cosine, zipf_table


def test_the_table_ships_with_the_package_and_orders_common_words_first() -> None:
    table = zipf_table()
    assert len(table) > 10_000
    assert table["the"] > table["people"] > table["earthquake"] > table["landslide"]
    assert min(table.values()) >= COMMONEST_RARE_ZIPF


def test_weight_grows_with_rarity_within_its_bounds() -> None:
    assert weight("the") == weight("and") == 0.0  # as common as words get
    assert weight("qzxorvella") == WEIGHTLESS_ZIPF - COMMONEST_RARE_ZIPF  # missing: as rare as words get
    weights = [weight(w) for w in ("people", "earthquake", "landslide", "qzxorvella")]
    assert weights == sorted(weights)
    assert len(set(weights)) == len(weights)


COSINE_ROWS = [
    {
        "description": "the same words: 1",
        "input": ({"ferry", "sank", "talvik"}, {"ferry", "sank", "talvik"}),
        "expected": lambda s: math.isclose(s, 1.0),
    },
    {
        "description": "nothing shared: 0",
        "input": ({"ferry", "sank"}, {"wheat", "harvest"}),
        "expected": lambda s: s == 0.0,
    },
    {
        "description": "an empty or weightless side: 0",
        "input": (set(), {"ferry"}),
        "expected": lambda s: s == 0.0,
    },
]


@pytest.mark.parametrize("row", COSINE_ROWS, ids=[r["description"] for r in COSINE_ROWS])
def test_weighted_cosine(row: dict) -> None:
    a, b = (frozenset(words) for words in row["input"])
    assert row["expected"](weighted_cosine(a, b))
    assert weighted_cosine(a, b) == weighted_cosine(b, a)


def test_sharing_a_rare_word_counts_for_more_than_sharing_a_common_one() -> None:
    # Same shape on both sides: three words each, one shared; only which word is shared differs.
    base = frozenset({"talvik", "people", "said"})
    rare_shared = weighted_cosine(base, frozenset({"talvik", "city", "told"}))
    common_shared = weighted_cosine(base, frozenset({"orvella", "people", "told"}))
    unweighted = 1 / 3
    assert rare_shared > unweighted > common_shared


_COSINES = """
import hashlib, random
from matcher.rarity import weighted_cosine, zipf_table
words = sorted(zipf_table())[::50][:300] + ["xqzrare%d" % i for i in range(100)]
rng = random.Random(5)
cosines = [repr(weighted_cosine(frozenset(rng.sample(words, 40)), frozenset(rng.sample(words, 40))))
           for _ in range(200)]
print(hashlib.sha256("|".join(cosines).encode()).hexdigest())
"""


def test_weighted_cosine_is_the_same_whatever_the_string_hash_seed() -> None:
    """Set order follows PYTHONHASHSEED; the cosine's last bits must not (near-tied candidates keep their order)."""
    root = str(Path(rarity.__file__).resolve().parents[1])
    digests = {
        subprocess.run(
            [sys.executable, "-c", _COSINES],
            env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": root},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(digests) == 1, digests
