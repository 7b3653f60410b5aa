"""People named in a report, with the role and organisation the text gives them.

Detection is by shape, never by a list of people: capitalised name-like words after an honorific
("Mr.", "H.E."), after a title phrase ("Minister of Foreign Affairs of X", "President"), before an
appositive title (", Assistant Secretary-General and ..."), or before a speech verb ("..., said").
Later bare-surname mentions ("Mr. Voronkov") link to the full name found earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from extract.intervals import OverlapIndex
from extract.lexicon import (
    HONORIFIC_RE,
    NAME_PARTICLES,
    ORG_HEADS,
    SPEECH_VERBS,
    TITLE_BEFORE_SURNAME,
    TITLE_WORDS,
)
from extract.names import could_be_name_word, fold, person_key, surname_key
from extract.spans import WORD_RE, Span, words

_MAX_NAME_WORDS = 4
# The longest role read before or after a name, in words. Real ones stay under 25 ("Special Representative of
# the Secretary-General for Central Asia and Head of the ... Centre for Preventive Diplomacy ..."). Unbounded,
# a page of capitalised words without commas (a table dump) gave each name every word before it as its role,
# and a role running to the end of a page was repeated in every later mention of that person.
_MAX_ROLE_WORDS = 40
_TITLE_CONNECTORS = frozenset({"of", "for", "the", "and", "on", "to"})
_BYLINE_BEFORE = re.compile(r"(?:^|\n)\s*(?:By|by)\s+$")
# What may end the text before a name (see _search_tail): a match is followed by nothing but blanks and
# commas, and starts fewer than _TAIL_REACH characters before them ("Mister", "(" + 15 characters + ")").
_HONORIFIC_BEFORE = re.compile(rf"(?:{HONORIFIC_RE.pattern})\s*$")
# Possessive blanks: the same matches as "\s*,?\s*$", without trying every split of a long run of blanks.
_PAREN_BEFORE = re.compile(r"\([^()]{1,15}\)\s*+,?\s*+$")
_COMMA_BEFORE = re.compile(r",\s*$")
_TAIL_REACH = 18
_OF_BEFORE = re.compile(r"\bof\s+$")
_POSSESSIVE_END = re.compile(r"['\u2019]s$")
_APPOSITIVE = re.compile(r"\s*,\s*(?:the\s+|an?\s+)?")
# A bracket ends a role unless it only spells out an acronym: "Representative (SRSG) for the ...".
_ROLE_END = re.compile(
    r"[,;]|\((?![A-Z][A-Za-z&-]{1,11}\))|\s(?:met|and\s+(?:the|a)\s|who|which|was|is|has|have|had|said)\b"
)


@dataclass(frozen=True, slots=True)
class PersonMention:
    """One mention of a person: ``name`` is the fullest form known, ``span`` the words in the text."""

    span: Span
    name: str
    key: str
    role: str | None
    trigger: str


def _is_title(word: str, title_acronyms: set[str]) -> bool:
    return (
        fold(word) in TITLE_WORDS
        or word in title_acronyms
        or any(part in TITLE_WORDS for part in fold(word).split("-") if part not in ("vice", "assistant"))
    )


def _name_runs(text: str, tokens: list[Span]) -> list[tuple[int, int]]:
    """Token index ranges [a, b) of adjacent name-like words (particles allowed inside)."""
    runs: list[tuple[int, int]] = []
    a = 0
    while a < len(tokens):
        if not could_be_name_word(tokens[a].text):
            a += 1
            continue
        b = a + 1
        while b < len(tokens) and _adjacent(text, tokens[b - 1], tokens[b]):
            word = tokens[b].text
            if could_be_name_word(word) or (
                word in NAME_PARTICLES and b + 1 < len(tokens) and could_be_name_word(tokens[b + 1].text)
            ):
                b += 1
            else:
                break
        runs.append((a, b))
        a = b
    return runs


def _adjacent(text: str, a: Span, b: Span) -> bool:
    gap = text[a.end : b.start]
    if gap in (". ", ".\u00a0") and len(a.text) == 1 and a.text.isupper():
        return True  # an initial: "J. Haldane"
    return gap in (" ", "\u00a0") or (gap.strip() == "" and "\n" not in gap and len(gap) <= 3)


def _search_tail(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """Where ``pattern.search(text[lo:hi])`` starts, as an offset into ``text``; None when it does not match.

    For the patterns that end a prefix (``_HONORIFIC_BEFORE``, ``_PAREN_BEFORE``, ``_COMMA_BEFORE``): a match
    ends in the blanks and commas that close the prefix and starts less than ``_TAIL_REACH`` characters
    before them, with one more character read for a word boundary. Searching only that window finds the
    same first match, so a name pays for the gap before it, not for the whole sentence before it.
    """
    tail = hi
    while tail > lo and (text[tail - 1].isspace() or text[tail - 1] == ","):
        tail -= 1
    window = max(lo, tail - _TAIL_REACH)
    m = pattern.search(text[window:hi])
    return None if m is None else window + m.start()


def _title_before(
    text: str, tokens: list[Span], a: int, sentence: Span, title_acronyms: set[str]
) -> tuple[str | None, bool]:
    """The title phrase that ends right before token ``a`` (one comma or "(ACR)" may sit between), and
    whether its last word is a title standing directly before the name.

    The phrase is at most ``_MAX_ROLE_WORDS`` words long; a title further back is not read.
    """
    start = tokens[a].start
    honorific = _search_tail(_HONORIFIC_BEFORE, text, sentence.start, start)
    if honorific is not None:
        start = honorific
    hop = _search_tail(_PAREN_BEFORE, text, sentence.start, start)
    if hop is None:
        hop = _search_tail(_COMMA_BEFORE, text, sentence.start, start)
    limit = start if hop is None else hop
    i = a
    while (i > 0 and tokens[i - 1].end > limit) or (i > 0 and tokens[i - 1].start >= start):
        i -= 1
    a = i
    while i > max(0, a - _MAX_ROLE_WORDS) and tokens[i - 1].end <= limit:
        prev = tokens[i - 1]
        if prev.end < limit and text[prev.end : limit].strip():
            break
        word = prev.text
        if not (word[0].isupper() or word in _TITLE_CONNECTORS or fold(word) in TITLE_WORDS):
            break
        i -= 1
        limit = prev.start
    phrase = tokens[i:a]
    first = next((t for t in phrase if _is_title(t.text, title_acronyms)), None)
    if first is None:
        return None, False
    role = text[first.start : phrase[-1].end].strip()
    direct = hop is None and _is_title(phrase[-1].text, title_acronyms)
    return role, direct


def _title_after(text: str, end: int, sentence: Span, title_acronyms: set[str]) -> str | None:
    m = _APPOSITIVE.match(text, end, sentence.end)
    if not m:
        return None
    following = words(text, m.end(), min(sentence.end, m.end() + 80))[:4]
    for tok in following:
        if _is_title(tok.text, title_acronyms):
            # Searched in place: a copy of the rest of a long sentence for every name would be quadratic.
            stop = _ROLE_END.search(text, m.end(), sentence.end)
            end = _role_end(text, m.end(), stop.start() if stop else sentence.end)
            return text[m.end() : end].strip() or None
        if not tok.text[0].isupper():
            return None
    return None


def _role_end(text: str, start: int, end: int) -> int:
    """``end``, or the end of the ``_MAX_ROLE_WORDS``-th word from ``start`` when more words follow it."""
    nth_and_next = list(islice(WORD_RE.finditer(text, start, end), _MAX_ROLE_WORDS - 1, _MAX_ROLE_WORDS + 1))
    return nth_and_next[0].end() if len(nth_and_next) == 2 else end


def find_people(text: str, sentences: list[Span], title_acronyms: set[str]) -> list[PersonMention]:
    """Person mentions in ``sentences``, text order; bare surnames linked to earlier full names."""
    found: list[PersonMention] = []
    singles: list[tuple[Span, str | None, str]] = []
    for sentence in sentences:
        tokens = words(text, sentence.start, sentence.end)
        for a, b in _name_runs(text, tokens):
            _classify(text, sentence, tokens, a, b, title_acronyms, found, singles)
    full = {surname_key(p.name): p for p in found if len(p.name.split()) > 1}
    for span, role, trigger in singles:
        person = full.get(surname_key(span.text))
        if person is not None:
            found.append(PersonMention(span, person.name, person.key, role, "surname-link"))
        elif trigger in ("honorific", "title"):
            found.append(PersonMention(span, span.text, person_key(span.text), role, trigger))
    _link_bare_surnames(text, sentences, found, full)
    return sorted((_without_possessive(p) for p in found), key=lambda p: p.span.start)


def _without_possessive(person: PersonMention) -> PersonMention:
    """The mention without a trailing "'s": "Doe's" quotes the name as "Doe"."""
    m = _POSSESSIVE_END.search(person.span.text)
    if m is None:
        return person
    span = Span(person.span.start, person.span.start + m.start(), person.span.text[: m.start()])
    name = span.text if person.name == person.span.text else person.name
    return PersonMention(span, name, person.key, person.role, person.trigger)


def _classify(
    text: str,
    sentence: Span,
    tokens: list[Span],
    a: int,
    b: int,
    title_acronyms: set[str],
    found: list[PersonMention],
    singles: list[tuple[Span, str | None, str]],
) -> None:
    if b - a > _MAX_NAME_WORDS:
        a = b - _MAX_NAME_WORDS
    if b - a >= 3 and _OF_BEFORE.search(text, max(sentence.start, tokens[a].start - 4), tokens[a].start):
        # "Minister of Foreign Affairs of Veloria Irena Castellan": the first word is what "of" governs.
        a += 1
    span = Span(tokens[a].start, tokens[b - 1].end, text[tokens[a].start : tokens[b - 1].end])
    if b < len(tokens) and _adjacent(text, tokens[b - 1], tokens[b]) and fold(tokens[b].text) in ORG_HEADS:
        return  # "Coastal Water Board": the words name a body, not a person
    prefix = text[max(sentence.start, span.start - 8) : span.start]
    if _BYLINE_BEFORE.search(text[max(0, span.start - 6) : span.start]):
        return
    honorific = bool(_HONORIFIC_BEFORE.search(prefix))
    role, direct = _title_before(text, tokens, a, sentence, title_acronyms)
    if b - a == 1:
        direct_title = (
            direct
            and a > 0
            and (fold(tokens[a - 1].text) in TITLE_BEFORE_SURNAME or tokens[a - 1].text in title_acronyms)
        )
        trigger = "honorific" if honorific else "title" if direct_title else "bare"
        singles.append((span, role, trigger))
        return
    after_role = _title_after(text, span.end, sentence, title_acronyms)
    speech = bool(SPEECH_VERBS.match(text, span.end, sentence.end))
    cue: str | None = (
        "honorific" if honorific else "title" if role else "appositive" if after_role else
        "speech" if speech else None
    )  # fmt: skip
    if cue is None:
        return
    found.append(PersonMention(span, span.text, person_key(span.text), role or after_role, cue))


def _link_bare_surnames(
    text: str, sentences: list[Span], found: list[PersonMention], full: dict[str, PersonMention]
) -> None:
    """Repeated full names without a cue ("Kaha Imnadze") are the same person as the cued mention."""
    taken = OverlapIndex((p.span.start, p.span.end) for p in found)
    by_key = {p.key: p for p in found}
    for sentence in sentences:
        tokens = words(text, sentence.start, sentence.end)
        for a, b in _name_runs(text, tokens):
            s, e = tokens[a].start, tokens[min(b, a + _MAX_NAME_WORDS) - 1].end
            if taken.overlaps(s, e):
                continue
            candidate = text[s:e]
            person = by_key.get(person_key(candidate))
            if person is None and b - a == 1:
                person = full.get(surname_key(candidate))
            if person is not None:
                found.append(PersonMention(Span(s, e, candidate), person.name, person.key, None, "name-link"))
                taken.add(s, e)
