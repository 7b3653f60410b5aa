"""Text signals and the pair features built on them: table-driven, fictional inputs."""

from __future__ import annotations

import pytest

from matcher import score_pair
from matcher.signals import content_words, dice, figures, name_words, years
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
    {
        "description": "figures keep specific numbers, decimals too; years, days, times, small and round ones go",
        "input": (
            figures,
            None,
            (
                "The magnitude 6.1 quake of March 27, 2009 at 8:41 killed 1,247 people and 3 dogs; "
                "about 400 homes fell and 52 were rebuilt."
            ),
        ),
        "expected": frozenset({"6.1", "1247", "52"}),
    },
    {
        "description": "digits inside a code or a date written in digits are no figure",
        "input": (figures, "Flight A380 lands", "It landed on 2013-09-27 with 257 passengers."),
        "expected": frozenset({"257"}),
    },
    {
        "description": "a number in a name (a road, a flight) is no figure; a decimal after a name still is",
        "input": (
            figures,
            None,
            "Stopped on Route 52 near the Talvik terminal, where Flight 93 landed; Richter 6.4 and 317 hurt.",
        ),
        "expected": frozenset({"6.4", "317"}),
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
FERRY = (
    "The ferry Talvik sank off Orvella with 317 passengers; 41 are missing, the coast guard of Orvella said."
)
FERRY_OTHER = (
    "Coast guard boats searched for 41 missing people after the ferry Talvik, carrying 317 passengers, went "
    "down near Orvella."
)
FERRY_OTHER_TOLL = (
    "Coast guard boats searched for 23 missing people after the ferry Talvik, carrying 317 passengers, went "
    "down near Orvella."
)
FERRY_NEXT = (
    "The ferry Marsk sank off Orvella with 188 passengers; 17 are missing, the coast guard of Orvella said."
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

FIGURE_ROWS = [
    {
        "description": "two specific figures in common (passengers, missing): strong evidence",
        "input": (FERRY, FERRY_OTHER),
        "expected": {"value": 3.0, "reason": "2 of 2 figures shared: 41, 317"},
    },
    {
        "description": "a single figure in common counts half",
        "input": (FERRY, FERRY_OTHER_TOLL),
        "expected": {"value": 1.0, "reason": "1 of 2 figures shared: 317"},
    },
    {
        "description": "the same kind of event with other figures: no evidence either way",
        "input": (FERRY, FERRY_NEXT),
        "expected": {"value": 0.0, "reason": "no figure in common"},
    },
    {
        "description": "a text without figures says nothing",
        "input": (FERRY, HARVEST),
        "expected": {"value": 0.0, "reason": "no figure on one side"},
    },
]


@pytest.mark.parametrize("row", FIGURE_ROWS, ids=[r["description"] for r in FIGURE_ROWS])
def test_figures_feature(row: dict) -> None:
    text_a, text_b = row["input"]
    for a, b in ((text_a, text_b), (text_b, text_a)):
        s = score_pair(profile("a", text=a), profile("b", text=b))
        assert (s.features["figures"], s.reasons["figures"]) == (
            row["expected"]["value"],
            row["expected"]["reason"],
        )


_SIGN = {"positive": lambda v: v > 0, "negative": lambda v: v < 0, "zero": lambda v: v == 0}


@pytest.mark.parametrize("row", FEATURE_ROWS, ids=[r["description"] for r in FEATURE_ROWS])
def test_text_features(row: dict) -> None:
    text_a, text_b = row["input"]
    s = score_pair(profile("a", text=text_a), profile("b", text=text_b))
    for feature, sign in row["expected"].items():
        assert _SIGN[sign](s.features[feature]), (feature, s.features[feature], s.reasons[feature])
    assert s.features == score_pair(profile("b", text=text_b), profile("a", text=text_a)).features


def test_text_evidence_counts_rare_shared_words_above_common_ones() -> None:
    # Each pair shares exactly three of its content words, so Dice alone cannot tell them apart; the
    # first pair shares rare words (a ferry's name, "capsized", "trawler"), the second common ones.
    base = "The trawler Talvik capsized near Orvella while officials reported people found water."
    rare = "Divers said the trawler Talvik capsized; residents gathered, hoping somebody survived tonight."
    common = (
        "Divers said officials reported people found; residents gathered, hoping somebody survived tonight."
    )
    wa, wr, wc = (content_words(None, t) for t in (base, rare, common))
    assert len(wa & wr) == len(wa & wc) == 3
    assert len(wr) == len(wc)
    rare_pair = score_pair(profile("a", text=base), profile("b", text=rare))
    common_pair = score_pair(profile("a", text=base), profile("c", text=common))
    assert rare_pair.features["text"] > common_pair.features["text"]
