"""Extraction never raises and every fact quotes its own span, whatever text it is fed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extract.report import extract_report

# Fragments that steer generated text into the rules' paths (dates, titles, acronyms, zones).
FRAGMENTS = st.sampled_from(
    [
        "Mr. ", "H.E. ", "President ", "Minister of Foreign Affairs of Chile ", "Ivo Sterk", ", Director of ",
        "the Harbour Agency (HA)", " HA ", "UN Counter-Terrorism Office (UNCTO)", "On 2 May 2020, ",
        "Published 02.11.2020\n", " date 2021-10-15 BAKU, Azerbaijan, Oct. 15\n", "Last news\n01.08\n",
        "Home\n\\\n", "met with", " videoconference ", "two-day visit to Lima, Peru", "on Tuesday",
        "yesterday", " said.", "\n\n", ". ", "(", ")", ",", "31.02.2020", "Feb 30", "0000-00-00", "é", "\u2019",
    ]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=40).map("".join),
)
PUBLISHED = st.one_of(st.none(), st.dates().map(str), st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, published=PUBLISHED)
def test_quotes_match_spans_and_nothing_raises(text: str, published: str | None) -> None:
    x = extract_report(text, published=published)
    for fact in x.facts:
        assert text[fact.start : fact.end] == fact.quote
        assert 0 <= fact.start <= fact.end <= len(text)
    for start, end in x.body:
        assert 0 <= start < end <= len(text)
    if x.date_from is not None and x.date_to is not None:
        assert x.date_from <= x.date_to


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_round_trip_through_dict(text: str) -> None:
    from extract.facts import Extraction

    x = extract_report(text, published=None)
    assert Extraction.from_dict(x.to_dict()) == x
