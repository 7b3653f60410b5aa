"""Blocking keys: which stored reports are worth scoring against a new one.

A key is an entity combined with a time bucket, e.g. ``p:vladimir voronkov|2020-W45``. Entities are person
keys (``p:``), organisation keys (``o:``), places (``l:``) and a few salient capitalised words of the title
and text (``w:``), so that a report whose people the extractor missed still finds its twins.

Time buckets are ISO weeks of the widened window [date_from - 3 days, date_to + 3 days]. Weeks rather than
months because an entity such as a foreign minister appears in many reports a month, and every candidate a
key returns costs a pair score; an exact date touches one or two weeks, a two-week range three or four.
Two reports whose date windows overlap (anything else is vetoed by the scorer) share a week, hence a key.

The store keeps a table ``(key, report_id)`` with an index on ``key``. A report is indexed under
``index_keys(profile)`` and looks up every report sharing any of ``query_keys(profile)``:

===========================  ================================  ====================================
report                       indexed under                     looks up
===========================  ================================  ====================================
dated (window <= 10 weeks)   ``entity|week`` and ``entity|any``  ``entity|week`` and ``entity|undated``
undated or vaguely dated     ``entity|undated``                ``entity|any`` and ``entity|undated``
===========================  ================================  ====================================

Whichever of two reports arrives second therefore finds the first, for every pair of reports that share an
entity and whose dates do not conflict. A report has at most (entities) x 11 index keys. The ``|any``
lookups of undated reports are not bounded by the matcher: the store should cap how many rows one such key
returns, and ``expand_component`` caps the component size.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

from matcher.profile import ReportProfile, fold

WINDOW_SLACK_DAYS = 3
# A window wider than this (a date known only to the quarter, say) is blocked as if undated.
MAX_WEEK_BUCKETS = 10
MAX_SALIENT_WORDS = 8
ANY = "any"
UNDATED = "undated"

# A word is what r"[^\W\d_][\w\u2019'\-]*" finds: it starts at the first letter of a run of letters,
# digits, "_", apostrophes and hyphens and ends with the run. This finds the same words, but only those
# whose first letter is A-Z or not ASCII: at the start of a run (nothing of the run before it), past the
# run's leading digits, "_", apostrophes and hyphens. Group 1 is the first letter.
_CAPITALISED = re.compile(r"(?<![\w\u2019'\-])[\d_\u2019'\-]*([A-Z]|(?=[^\x00-\x7f])[^\W\d_])[\w\u2019'\-]*")
_POSSESSIVE_ENDINGS = ("'s", "\u2019s")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”\n]\s*|[-\u2013\u2014]\s+)$")
# Capitalised words that name no particular event: titles, months, weekdays, function words.
_GENERIC_WORDS = """
    the this that these those there their they then thus also after before during while when where which
    who whose with within without from into over under between among about against according mr mrs ms
    dr prof sir madam his her its our your president prime minister ministry deputy vice chairman head
    secretary general under assistant special representative ambassador director executive chief office
    department government state republic national international federal council committee cabinet
    foreign affairs excellency january february march april may june july august september
    october november december monday tuesday wednesday thursday friday saturday sunday meeting talks
    conference videoconference summit session visit news press release published home politics economy
    world read more related last latest photo video share trend reports said says
"""
_GENERIC = frozenset(_GENERIC_WORDS.split())


def index_keys(profile: ReportProfile) -> frozenset[str]:
    """Keys to store the report under (see the module docstring for the rule)."""
    entities = _entities(profile)
    weeks = _weeks(profile)
    if weeks is None:
        return frozenset(f"{e}|{UNDATED}" for e in entities)
    return frozenset(f"{e}|{b}" for e in entities for b in (*weeks, ANY))


def query_keys(profile: ReportProfile) -> frozenset[str]:
    """Keys to look candidates up by; differs from ``index_keys`` only in how undated reports meet."""
    entities = _entities(profile)
    weeks = _weeks(profile)
    buckets = (ANY, UNDATED) if weeks is None else (*weeks, UNDATED)
    return frozenset(f"{e}|{b}" for e in entities for b in buckets)


def blocking_keys(profile: ReportProfile) -> frozenset[str]:
    """The keys a report is indexed under; same as ``index_keys``."""
    return index_keys(profile)


def _entities(profile: ReportProfile) -> frozenset[str]:
    return frozenset(
        [f"p:{k}" for k in profile.people]
        + [f"o:{k}" for k in profile.organizations]
        + [f"l:{k}" for k in profile.places]
        + [f"w:{k}" for k in salient_words(profile)]
    )


def _weeks(profile: ReportProfile) -> tuple[str, ...] | None:
    """ISO weeks the widened date window touches, or None when undated or too vague to bucket."""
    if profile.date_from is None or profile.date_to is None:
        return None
    first = profile.date_from - timedelta(days=WINDOW_SLACK_DAYS)
    last = profile.date_to + timedelta(days=WINDOW_SLACK_DAYS)
    # Step from the Monday of the first week; each step lands in the next ISO week.
    monday = first - timedelta(days=first.weekday())
    weeks: list[str] = []
    while monday <= last:
        weeks.append(_week_label(monday))
        if len(weeks) > MAX_WEEK_BUCKETS:
            return None
        monday += timedelta(days=7)
    return tuple(weeks)


def _week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def salient_words(profile: ReportProfile) -> tuple[str, ...]:
    """Up to ``MAX_SALIENT_WORDS`` capitalised words of title and text that do not open a sentence.

    Most frequent first (ties: first seen), folded. Generic capitalised words (titles, months) are skipped
    because every report has them and they would make huge blocks.

    A word is a run of letters, digits, ``_``, apostrophes and hyphens from its first letter on.
    The scan (``_CAPITALISED``) visits only words whose first letter may be a capital, so the lower-case
    majority of a text costs no Python code; folding is cached per word.
    """
    counts: dict[str, int] = {}
    for source in (profile.title or "", profile.text):
        for m in _CAPITALISED.finditer(source):
            start = m.start(1)
            if not m.group(1).isupper():  # a non-ASCII letter: the pattern lets all of them through
                continue
            word = source[start : m.end()]
            if word.endswith(_POSSESSIVE_ENDINGS):
                word = word[:-2]
            if len(word) < 4:
                continue
            if start == 0 or _opens_sentence(source[max(0, start - 3) : start]):
                continue
            key = _salient_key(word)
            if key:
                counts[key] = counts.get(key, 0) + 1
    # sorted() is stable: equal counts stay in first-seen order, as Counter.most_common keeps them.
    return tuple(sorted(counts, key=lambda k: -counts[k])[:MAX_SALIENT_WORDS])


@lru_cache(maxsize=4096)
def _opens_sentence(before: str) -> bool:
    """Whether the (up to three) characters before a word end a sentence, clause or dash."""
    return _SENTENCE_START.search(before) is not None


@lru_cache(maxsize=1 << 16)
def _salient_key(word: str) -> str:
    """The folded key of a capitalised word, or "" when it names nothing particular."""
    key = fold(word)
    return "" if key in _GENERIC else key
