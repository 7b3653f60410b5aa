"""Text signals and the pair features built on them: table-driven, fictional inputs."""

from __future__ import annotations

import pytest

from matcher import score_pair
from matcher.signals import content_words, dice, name_words, years
from tests.test_matcher_cases import profile

SIGNAL_ROWS = [
    {
        "description": "content words drop stop words, short words and digits",
        "input": (content_words, None, "The flood in Varnok killed 12 people on Monday."),
        "expected": frozenset({"flood", "varnok", "killed", "people"}),
    },
    {
        "description": "name words skip sentence openers and titles, and agree across transliterations",
        "input": (name_words, None, "Talks began. Minister Tashoff met Ilsa Brandt in Sarnaana."),
        "expected": frozenset({"tashov", "ilsa", "brandt", "sarnana"}),
    },
    {
        "description": "the title counts as text",
        "input": (name_words, "Quake hits Orvella", "The quake struck at dawn."),
        "expected": frozenset({"orvela"}),
    },
    {
        "description": "years are counted; amounts and decimals are not years",
        "input": (
            years,
            None,
            "The 2013 vote, like the vote of 2008 and 2013, drew 2000 people and 1999.5 tons.",
        ),
        "expected": {2013: 2, 2008: 1},
    },
]


@pytest.mark.parametrize("row", SIGNAL_ROWS, ids=[r["description"] for r in SIGNAL_ROWS])
def test_signal(row: dict) -> None:
    function, title, text = row["input"]
    assert function(title, text) == row["expected"]


@pytest.mark.parametrize(
    ("description", "a", "b", "expected"),
    [
        ("identical sets", {"x", "y"}, {"x", "y"}, 1.0),
        ("half shared", {"x", "y"}, {"x", "z"}, 0.5),
        ("an empty side", set(), {"x"}, 0.0),
    ],
)
def test_dice(description: str, a: set[str], b: set[str], expected: float) -> None:
    assert dice(frozenset(a), frozenset(b)) == expected


QUAKE_2009 = (
    "A magnitude 6.1 earthquake struck the mountain town of Orvella on Tuesday, destroying homes and "
    "killing residents, the Orvella civil defence office said in 2009. Mayor Elin Sarvik said rescuers searched collapsed houses."
)
QUAKE_2009_OTHER = (
    "Rescuers searched collapsed houses in Orvella after a 6.1 earthquake struck the mountain town, "
    "destroying homes and killing residents, civil defence officials and Mayor Elin Sarvik said in 2009."
)
QUAKE_2014 = (
    "A strong earthquake struck the mountain town of Orvella again, the civil defence office said in 2014. "
    "Rescuers searched collapsed houses after the quake destroyed homes."
)
HARVEST = (
    "Farmers in Delmont celebrated a record wheat harvest at the autumn market, where bakers and millers "
    "showed new bread, cheese and cider from the valley cooperatives."
)

FEATURE_ROWS = [
    {
        "description": "two outlets' words for one event: positive text and names evidence",
        "input": (QUAKE_2009, QUAKE_2009_OTHER),
        "expected": {"text": "positive", "names": "positive", "years": "zero"},
    },
    {
        "description": "unrelated texts: negative text evidence",
        "input": (QUAKE_2009, HARVEST),
        "expected": {"text": "negative"},
    },
    {
        "description": "the same kind of event in different years: the years count against",
        "input": (QUAKE_2009, QUAKE_2014),
        "expected": {"years": "negative"},
    },
    {
        "description": "too little text to compare: no text evidence either way",
        "input": ("Quake in Orvella.", QUAKE_2009),
        "expected": {"text": "zero", "names": "zero"},
    },
]

_SIGN = {"positive": lambda v: v > 0, "negative": lambda v: v < 0, "zero": lambda v: v == 0}


@pytest.mark.parametrize("row", FEATURE_ROWS, ids=[r["description"] for r in FEATURE_ROWS])
def test_text_features(row: dict) -> None:
    text_a, text_b = row["input"]
    s = score_pair(profile("a", text=text_a), profile("b", text=text_b))
    for feature, sign in row["expected"].items():
        assert _SIGN[sign](s.features[feature]), (feature, s.features[feature], s.reasons[feature])
    assert s.features == score_pair(profile("b", text=text_b), profile("a", text=text_a)).features
