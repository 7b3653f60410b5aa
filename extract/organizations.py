"""Organisations named in a report, each resolved to one canonical name.

Three sources of knowledge, in order: acronyms the report itself defines ("Long Name (ACR)"), the alias
table of well-known bodies (``orgs_data``), and generic shapes ("Ministry of X of Country", capitalised
phrases ending in a head noun such as Office, Agency, Committee). An acronym an outlet misspells next to a
long name that resolves to a known body ("... Counter-Terrorism Office (UNCTU)") resolves to that body.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from extract.intervals import OverlapIndex
from extract.lexicon import HONORIFICS, ORG_HEADS, TITLE_WORDS, WEAK_HEADS
from extract.names import could_be_name_word, fold
from extract.orgs_data import KNOWN_ORGANIZATIONS
from extract.places_data import COUNTRIES
from extract.spans import Span, words

_SPELLING = (("centre", "center"), ("organisation", "organization"), ("programme", "program"),
             ("defence", "defense"), ("labour", "labor"), ("co operation", "cooperation"))  # fmt: skip
_HEAD_OF = re.compile(
    r"^(?P<pre>.*?)\b(?P<head>" + "|".join(sorted(ORG_HEADS)) + r") (?:of|for) (?P<rest>.+)$"
)
_LEFT_STOP = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "during", "after", "before", "since", "while",
     "when", "in", "on", "at", "by", "with", "from", "as", "and", "of", "for", "to", "its", "his", "her",
     "their", "our", "meanwhile", "moreover", "however", "also", "both", "between", "within"}
)  # fmt: skip
_CONNECTORS = frozenset({"of", "for", "on"})
# Longer capitalised phrases are not read as names: real ones stay under 12 words ("United Nations Regional
# Centre for Preventive Diplomacy for Central Asia"); a table dump's run of capitalised cells made one name of
# a whole page, repeated in every later use of the acronym after it.
_MAX_ORG_WORDS = 24
# "(ACR)", and the same after blanks. Searching a sentence for the first pattern, not the second, tries each
# bracket once rather than once from every blank before it; the tokens before the match are the same.
_ACRONYM_BRACKETS = re.compile(r"\(\s*(?P<acr>[A-Z][A-Za-z&]{1,11})\s*\)")
_ACRONYM_AFTER = re.compile(rf"\s*{_ACRONYM_BRACKETS.pattern}")
_ACRONYM_TOKEN = re.compile(r"^[A-Z][A-Z&]{1,9}$|^[A-Z][a-z]?[A-Z][A-Za-z]{0,8}$")
_PORTFOLIOS = {"foreign": "Foreign Affairs", "interior": "Internal Affairs", "internal": "Internal Affairs"}
_MINISTER = re.compile(
    r"\b(?:Minister of (?P<port>[A-Z][\w-]*(?:\s+(?:and\s+)?[A-Z][\w-]*)*?)"
    r"|(?P<port2>Foreign|Defen[cs]e|Interior|Finance|Economy|Justice|Health|Education|Energy|Trade|Culture)"
    r" Minister|FM)\s+of\s+(?:the\s+)?(?P<country>[A-Z][\w-]*(?:\s+(?:and\s+)?[A-Z][\w-]*){0,3})"
)
_MINISTRY = re.compile(
    r"^(?:the\s+)?(?:Ministry of (?P<port>.+?)|(?P<port2>[\w\s-]+?) Ministry)(?: of (?:the )?(?P<country>.+))?$"
)


def normalize(name: str) -> str:
    """Lower-case comparison form of an organisation name: no diacritics, punctuation or articles."""
    text = fold(name).replace("u.n.", "un").replace("-", " ").replace("'s", "").replace("\u2019s", "")
    text = re.sub(r"[^\w\s]", " ", text)
    text = re.sub(r"\bunited nations\b", "un", text)
    text = re.sub(r"\bthe\b", " ", text)
    text = " ".join(text.split())
    for old, new in _SPELLING:
        text = re.sub(rf"\b{old}\b", new, text)
    return text


def _reordered(norm: str) -> str:
    """ "un office of counter terrorism" and "un counter terrorism office" compare equal."""
    m = _HEAD_OF.match(norm)
    if m and " of " not in m.group("rest") and " for " not in m.group("rest"):
        return " ".join(f"{m.group('pre')} {m.group('rest')} {m.group('head')}".split())
    return norm


def _build_index() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    by_name: dict[str, tuple[str, str]] = {}
    by_acronym: dict[str, tuple[str, str]] = {}
    for acronym, canonical, aliases in KNOWN_ORGANIZATIONS:
        entry = (canonical, acronym.lower())
        by_acronym[acronym] = entry
        for alias in (canonical, *aliases):
            by_name[normalize(alias)] = entry
            by_name[_reordered(normalize(alias))] = entry
    return by_name, by_acronym


_BY_NAME, _BY_ACRONYM = _build_index()


def known_organization(name: str) -> tuple[str, str] | None:
    """(canonical name, key) of a well-known body named by ``name`` or its acronym; None if unknown."""
    if name in _BY_ACRONYM:
        return _BY_ACRONYM[name]
    norm = normalize(name)
    for candidate in (norm, _reordered(norm), f"un {norm}", _reordered(f"un {norm}")):
        if candidate in _BY_NAME:
            return _BY_NAME[candidate]
    return None


def _country(raw: str | None) -> str | None:
    if not raw:
        return None
    tokens = raw.split()
    for n in range(len(tokens), 0, -1):
        candidate = " ".join(tokens[:n])
        if candidate in COUNTRIES:
            return candidate
    return None


def ministry_name(portfolio: str, country: str | None) -> str:
    """Canonical "Ministry of <portfolio>[ of <country>]" form."""
    port = _PORTFOLIOS.get(portfolio.lower().strip(), portfolio.strip())
    return f"Ministry of {port}" + (f" of {country}" if country else "")


def canonical_organization(name: str) -> tuple[str, str, str]:
    """(canonical name, key, rule) for any organisation name: alias table, ministry form, or itself."""
    known = known_organization(name)
    if known is not None:
        return known[0], known[1], "alias-table"
    stripped = re.sub(r"^(?:the|The)\s+", "", name.strip())
    m = _MINISTRY.match(stripped)
    if m:
        port = m.group("port") or m.group("port2") or ""
        country = _country(m.group("country"))
        if m.group("country") and country is None:
            port, country = f"{port} of {m.group('country')}", None
        display = ministry_name(port, country)
        return display, normalize(display), "ministry-form"
    return stripped, _reordered(normalize(stripped)), "org-head"


def org_key(name: str) -> str:
    """The comparison key of an organisation name or acronym ("UNOCT" and its long names share one)."""
    return canonical_organization(name)[1]


@dataclass(frozen=True, slots=True)
class OrgMention:
    start: int
    end: int
    value: str
    key: str
    rule: str


@dataclass(slots=True)
class DocumentAcronyms:
    """Acronyms the report defines: for organisations (→ canonical, key) and for personal titles."""

    orgs: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    titles: set[str] = field(default_factory=set)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _adjacent(text: str, a: Span, b: Span) -> bool:
    gap = text[a.end : b.start]
    return gap.strip() == "" and "\n" not in gap


def _phrase_spans(text: str, tokens: list[Span]) -> list[tuple[int, int]]:
    """Token index ranges [i, j] of capitalised phrases ending in an organisation head, none inside another."""
    walks = _PhraseWalks(text, tokens)
    found: list[tuple[int, int]] = []
    for h, tok in enumerate(tokens):
        low = fold(tok.text)
        if low not in ORG_HEADS or not tok.text[0].isupper():
            continue
        i, j = walks.left(h), walks.right(h)
        if i == h and j == h:
            continue
        if (i == h and low in WEAK_HEADS) or j - i >= _MAX_ORG_WORDS:
            continue
        found.append((i, j))
    return _outermost(found)


class _PhraseWalks:
    """How far the phrase around a head reaches: left over capitalised words, right over "of/for/on X".

    A walk's course depends only on where it stands, so a walk that reaches a place an earlier walk started
    from or passed through ends where that one did. Remembering those ends makes a run of capitalised words
    with many heads in it (a table dump: "... Office ... Agency ...") cost its length once, not once a head.
    Asking for heads in text order keeps the left walks short too.
    """

    def __init__(self, text: str, tokens: list[Span]) -> None:
        self._text, self._tokens = text, tokens
        self._first: dict[int, int] = {}  # head -> first token of its phrase
        self._last: dict[int, int] = {}  # head, or a word "of/for/on X" led to -> last token of the phrase
        self._run_end: dict[int, int] = {}  # token -> where the capitalised words from it stop

    def _adjacent(self, a: int, b: int) -> bool:
        return _adjacent(self._text, self._tokens[a], self._tokens[b])

    def left(self, h: int) -> int:
        """The first word of the phrase that head ``h`` ends."""
        i = h
        while i not in self._first and i > 0 and self._adjacent(i - 1, i):
            prev = self._tokens[i - 1].text
            plow = fold(prev)
            if not prev[0].isupper() or plow in _LEFT_STOP or (plow in TITLE_WORDS and plow != "general"):
                break
            i -= 1
        self._first[h] = self._first.get(i, i)
        return self._first[h]

    def right(self, h: int) -> int:
        """The last word of the phrase from head ``h`` on, through each "of/for/on X" that follows."""
        passed: list[int] = []
        j = h
        while j not in self._last:
            passed.append(j)
            step = self._of_phrase(j)
            if step is None:
                self._last[j] = j
            else:
                j = step
        for p in passed:
            self._last[p] = self._last[j]
        return self._last[j]

    def _of_phrase(self, j: int) -> int | None:
        """The last word of "of/for/on [the] Capitalised Words" right after token ``j``; None if none."""
        tokens = self._tokens
        if not (j + 2 < len(tokens) and fold(tokens[j + 1].text) in _CONNECTORS and self._adjacent(j, j + 1)):
            return None
        k = j + 2
        if tokens[k].text == "the" and k + 1 < len(tokens):
            k += 1
        if not (self._adjacent(k - 1, k) and tokens[k].text[0].isupper()):
            return None
        end = self._capitalised_until(k)
        return None if end == k else end - 1

    def _capitalised_until(self, k: int) -> int:
        """The first token from ``k`` on that ends "of X": not capitalised, an honorific, a personal name
        ("the Ministry of Trade Ada Rell"), not adjacent, or the sentence's end."""
        tokens = self._tokens
        end = k
        while end not in self._run_end and end < len(tokens) and self._adjacent(end - 1, end):
            word = tokens[end].text
            nxt = tokens[end + 1].text if end + 1 < len(tokens) else ""
            if (
                not word[0].isupper()
                or fold(word) in HONORIFICS
                or (could_be_name_word(word) and could_be_name_word(nxt))
            ):
                break
            end += 1
        stop = self._run_end.get(end, end)
        for p in range(k, end):
            self._run_end[p] = stop
        return stop


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` (in their order) without those inside another, different span.

    In order of start, the longer first, a span lies inside another exactly when one of those before it
    reaches as far: one sort and one pass instead of comparing every pair.
    """
    inside: set[tuple[int, int]] = set()
    reach = -1
    for span in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if reach >= span[1]:
            inside.add(span)
        reach = max(reach, span[1])
    return [s for s in spans if s not in inside]


def find_organizations(text: str, sentences: list[Span]) -> tuple[list[OrgMention], DocumentAcronyms]:
    """Organisation mentions in ``sentences`` (in text order) and the acronyms the report defines."""
    acronyms = DocumentAcronyms()
    mentions: list[OrgMention] = []
    for sentence in sentences:
        tokens = words(text, sentence.start, sentence.end)
        for i, j in _phrase_spans(text, tokens):
            start, end = tokens[i].start, tokens[j].end
            value, key, rule = canonical_organization(text[start:end])
            mentions.append(OrgMention(start, end, value, key, rule))
            m = _ACRONYM_AFTER.match(text, end)
            if m and m.end() <= sentence.end:
                _define(acronyms, m.group("acr"), value, key)
        for m in _MINISTER.finditer(text, sentence.start, sentence.end):
            country = _country(m.group("country"))
            if country is None:
                continue
            port = m.group("port") or m.group("port2") or "Foreign"
            end = m.start("country") + len(country)
            value = ministry_name(port, country)
            mentions.append(OrgMention(m.start(), end, value, normalize(value), "minister-title"))
        _title_acronyms(text, sentence, tokens, acronyms)
    mentions += _acronym_uses(text, sentences, acronyms, mentions)
    return sorted(mentions, key=lambda o: (o.start, o.end)), acronyms


def _define(acronyms: DocumentAcronyms, acr: str, value: str, key: str) -> None:
    known = _BY_ACRONYM.get(acr)
    if known is not None and known[1] == key:
        acronyms.orgs[acr] = (value, key, "acronym-known")
    elif key in {k for _, k in _BY_ACRONYM.values()} and _edit_distance(acr, key.upper()) <= 2:
        acronyms.orgs[acr] = (value, key, "acronym-variant")
    else:
        acronyms.orgs[acr] = (value, key, "acronym-defined")


def _title_acronyms(text: str, sentence: Span, tokens: list[Span], acronyms: DocumentAcronyms) -> None:
    """ "the Special Representative of the Secretary General (SRSG)" makes SRSG a title word."""
    for m in _ACRONYM_BRACKETS.finditer(text, sentence.start, sentence.end):
        # Tokens are in text order, so those ending before the bracket are a prefix of them: the last eight.
        ended = bisect_right(tokens, m.start(), key=lambda t: t.end)
        before = tokens[max(0, ended - 8) : ended]
        caps = [t for t in before if t.text[0].isupper()]
        if m.group("acr") in acronyms.orgs or not caps:
            continue
        if any(fold(t.text) in TITLE_WORDS and fold(t.text) != "general" for t in caps[:3]):
            acronyms.titles.add(m.group("acr"))


def _acronym_uses(
    text: str, sentences: list[Span], acronyms: DocumentAcronyms, named: list[OrgMention]
) -> list[OrgMention]:
    out: list[OrgMention] = []
    # An integer offset p lies in [start, end) exactly when [p, p + 1) overlaps it.
    inside_named = OverlapIndex((o.start, o.end) for o in named)
    for sentence in sentences:
        for tok in words(text, sentence.start, sentence.end):
            if not _ACRONYM_TOKEN.match(tok.text) or inside_named.overlaps(tok.start, tok.start + 1):
                continue
            if tok.text in acronyms.orgs:
                value, key, rule = acronyms.orgs[tok.text]
            elif tok.text in _BY_ACRONYM and tok.text not in acronyms.titles:
                (value, key), rule = _BY_ACRONYM[tok.text], "acronym-known"
            else:
                continue
            out.append(OrgMention(tok.start, tok.end, value, key, rule))
    return out
