"""What a report's text says about its event, beyond the extracted facts: words, names, years, figures.

Each signal is a pure function of one profile's title and body text (cached), so pair features built on them
still depend only on the two reports (DESIGN.md, "Matcher contract"): no corpus statistics, no vocabulary
learnt from other reports.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from extract.names import token_key
from matcher.profile import fold

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CAPITALISED = re.compile(r"[^\W\d_][\w\u2019'\-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"['\u2019]s$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”\n]\s*|[-\u2013\u2014]\s+)$")
_YEAR = re.compile(r"(?<![\d.,/$£€-])\b(19[5-9]\d|20\d\d)\b(?![.,/]\d|\s*(?:%|percent|people|tons|km|m\b))")
# A figure stands alone: not part of a date, a clock time, a code or a word ("2013-09-27", "8:41", "A380").
_FIGURE = re.compile(r"(?<![\w.,:/\-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w:/\-]|[.,]\d)")
_AFTER_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+$", re.IGNORECASE
)
# A whole number right after a capitalised word is part of a name ("Route 52", "Flight 93", "Chapter 11"):
# two events in one place share it as easily as one event does.
_AFTER_NAME = re.compile(r"(?<![\w'\u2019])[A-Z][a-z]+\s$")
_IS_YEAR = re.compile(r"19[5-9]\d|20\d\d")
# Whole numbers up to this value are too common to tell events apart (counts of people, days of a week);
# a decimal such as a magnitude of 6.1 is specific however small.
SMALL_FIGURE = 12

# Words that carry no event: function words, reporting verbs, time words, titles.
_STOPWORD_LIST = """
    a an the and or but of in on at to for from by with as is are was were be been being it its this that
    these those which who whom whose what when where while also not no than then there their they them he
    she his her we our you your i me my has have had will would shall should can could may might must do
    does did so such into over under about after before during between within without through upon said
    says say told according reported reports report news more most other some any all one two three new
    just only very out up down off how why because if first last year years day days week weeks month
    months time today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december mr mrs ms dr
    however although since still even like many much well back get got made make around including
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())
# Capitalised words that name no particular event: titles, months, weekdays, generic institutions.
_GENERIC_NAME_LIST = """
    the this that these those there their they then thus also after before during while when where which
    who whose with within without from into over under between among about against according mr mrs ms
    dr prof sir madam his her its our your president prime minister ministry deputy vice chairman head
    secretary general assistant special representative ambassador director executive chief office
    department government state republic national international federal council committee cabinet
    foreign affairs excellency january february march april may june july august september
    october november december monday tuesday wednesday thursday friday saturday sunday news press release
    published home politics economy world read more related last latest photo video share said says
    but and for not one two new all she he it we you our some it's i'm
"""
GENERIC_NAMES = frozenset(_GENERIC_NAME_LIST.split())


def _source(title: str | None, text: str) -> str:
    return f"{title}\n{text}" if title and not text.startswith(title) else text


@lru_cache(maxsize=8192)
def content_words(title: str | None, text: str) -> frozenset[str]:
    """Folded words of three letters or more that are not stop words."""
    words = _WORD.findall(fold(_source(title, text)))
    return frozenset(w for w in words if len(w) >= 3 and w not in STOPWORDS)


@lru_cache(maxsize=8192)
def name_words(title: str | None, text: str) -> frozenset[str]:
    """Capitalised words that do not open a sentence (names of people, places, bodies, events).

    Folded and spelt by ``extract.names.token_key`` so that transliterations agree ("Tashoff"/"Tashov").
    """
    source = _source(title, text)
    out: set[str] = set()
    for m in _CAPITALISED.finditer(source):
        word = _POSSESSIVE.sub("", m.group(0))
        if not word[0].isupper() or len(word) < 3:
            continue
        if _SENTENCE_START.search(source[max(0, m.start() - 3) : m.start()]):
            continue
        for part in fold(word).split():
            if len(part) >= 3 and part not in GENERIC_NAMES:
                out.add(token_key(part))
    return frozenset(out)


@lru_cache(maxsize=8192)
def years(title: str | None, text: str) -> Counter[int]:
    """Years 1950-2099 the report mentions, with how often (not amounts such as "2000 people")."""
    return Counter(int(m.group(1)) for m in _YEAR.finditer(_source(title, text)))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two word sets: shared words over the average size."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@lru_cache(maxsize=8192)
def figures(title: str | None, text: str) -> frozenset[str]:
    """Specific figures the report states (a toll, a score, an age, a sum), without thousands separators.

    Years, days of a month ("March 30"), whole numbers up to ``SMALL_FIGURE``, round numbers (400, 150: estimates
    and amounts any story of the kind may give), numbers in names ("Route 52") and pieces of dates, times or
    codes are left out: two different events share those as easily as one event does.
    """
    source = _source(title, text)
    out: set[str] = set()
    for m in _FIGURE.finditer(source):
        figure = m.group(1).replace(",", "")
        value = float(figure)
        if _IS_YEAR.fullmatch(figure) or value % 10 == 0 or ("." not in figure and value <= SMALL_FIGURE):
            continue
        if _AFTER_MONTH.search(source[max(0, m.start() - 12) : m.start()]):
            continue
        if "." not in figure and _AFTER_NAME.search(source[max(0, m.start() - 20) : m.start()]):
            continue
        out.add(figure)
    return frozenset(out)
