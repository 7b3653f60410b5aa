"""The fast blocking keys must equal the original ones for every input: matching quality depends on them.

``frozen_salient_words`` below is the original scan of ``matcher.blocking.salient_words`` (match-1.1), kept
verbatim as the reference; the word list and sentence rule it uses are unchanged and imported. The rest of
the key rule (entities, week buckets) did not change, so the reference keys are ``index_keys`` and
``query_keys`` themselves fed the reference salient words. Inputs: profiles of a few hundred generated
reports, really extracted, and hypothesis text built from the characters the key rules turn on (capitals,
apostrophes, hyphens, digits, sentence ends).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from functools import cache
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from evaluation.synthetic import generate
from extract.report import extract_report
from matcher import blocking
from matcher.blocking import (
    _GENERIC,
    _SENTENCE_START,
    MAX_SALIENT_WORDS,
    index_keys,
    query_keys,
    salient_words,
)
from matcher.profile import ReportProfile, fold, profile_from_extraction

# --- the reference: salient_words before it was made fast -----------------------------------------

_WORD = re.compile(r"[^\W\d_][\w\u2019'\-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"['\u2019]s$")


def frozen_salient_words(profile: ReportProfile) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for source in (profile.title or "", profile.text):
        for m in _WORD.finditer(source):
            word = _POSSESSIVE.sub("", m.group(0))
            if not word[0].isupper() or len(word) < 4:
                continue
            if _SENTENCE_START.search(source[max(0, m.start() - 3) : m.start()]):
                continue
            key = fold(word)
            if key and key not in _GENERIC:
                counts[key] += 1
    return tuple(w for w, _ in counts.most_common(MAX_SALIENT_WORDS))


def frozen_index_keys(profile: ReportProfile) -> frozenset[str]:
    with mock.patch.object(blocking, "salient_words", frozen_salient_words):
        return index_keys(profile)


def frozen_query_keys(profile: ReportProfile) -> frozenset[str]:
    with mock.patch.object(blocking, "salient_words", frozen_salient_words):
        return query_keys(profile)


# --- generated reports ----------------------------------------------------------------------------


@cache
def generated_profiles() -> list[ReportProfile]:
    profiles = []
    for i, report in enumerate(generate(300, seed=11)):
        extraction = extract_report(report.text, published=report.published, title=report.title)
        profiles.append(profile_from_extraction(f"r{i}", extraction, report.text, report.title))
    return profiles


def test_generated_reports_have_the_original_keys() -> None:
    profiles = generated_profiles()
    assert sum(1 for p in profiles if salient_words(p)) > len(profiles) // 2  # the rule is exercised
    for p in profiles:
        assert salient_words(p) == frozen_salient_words(p), p.report_id
        assert index_keys(p) == frozen_index_keys(p), p.report_id
        assert query_keys(p) == frozen_query_keys(p), p.report_id


def test_generated_reports_have_the_original_keys_from_the_raw_text() -> None:
    """The whole report text (navigation, headline lists) rather than the body zones alone."""
    for i, report in enumerate(generate(200, seed=5)):
        p = ReportProfile(report_id=f"t{i}", title=report.title, text=report.text)
        assert salient_words(p) == frozen_salient_words(p)


# --- junk and edge cases --------------------------------------------------------------------------

_TRICKY = "AaBbZz ÉéÖöŁłßǅǄǆΣσДдⅠⅰⒶ𝐀İı'\u2019-_0123456789 .!?:;\"“”\n\t\u2013\u2014,()"
words = st.text(alphabet=st.sampled_from(_TRICKY), min_size=1, max_size=12)
texts = st.lists(
    words | st.sampled_from(["Meeting", "Geneva", "Kovalenko's", "O'Neill", " "]), max_size=40
).map("".join)


@settings(max_examples=1500)
@given(title=st.none() | texts, text=texts | st.text(max_size=200))
@example(title=None, text="Delegates met Minister Kovalenko. Rain fell in Silverport.")
@example(
    title="A",
    text="\u2160van met \u24b6lex and \U0001d400lpha at -Haldane's 3Com well-Known x_Abc 'Zeta \u2019Omega",
)
@example(title="Talks", text="Alpha:Beta;\nGamma \u2013  Delta \u2013 Epsilon\u2014Zeta \u2014 Theta\n")
def test_any_text_has_the_original_salient_words(title: str | None, text: str) -> None:
    p = ReportProfile(report_id="x", title=title, text=text)
    assert salient_words(p) == frozen_salient_words(p)


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(
    start=st.none() | dates,
    days=st.integers(min_value=0, max_value=120),
    people=st.frozensets(st.text(max_size=10), max_size=3),
    text=texts,
)
def test_any_profile_has_the_original_keys(
    start: date | None, days: int, people: frozenset[str], text: str
) -> None:
    end = None if start is None else start + timedelta(days=days)
    p = ReportProfile(report_id="x", date_from=start, date_to=end, people=people, text=text)
    assert index_keys(p) == frozen_index_keys(p)
    assert query_keys(p) == frozen_query_keys(p)


@pytest.mark.parametrize("text", ["", " ", "A", "Abcd", "abcd Abcd", "Ab'cd\u2019s Efgh's"])
def test_short_texts(text: str) -> None:
    p = ReportProfile(report_id="x", text=text)
    assert salient_words(p) == frozen_salient_words(p)
