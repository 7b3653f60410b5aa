"""Where the event happened: a capitalised place after "visit to", "held in", "in"... in an event sentence."""

from __future__ import annotations

import re

from extract.lexicon import MEETING_CUE, ORG_HEADS
from extract.names import fold
from extract.places_data import COUNTRIES
from extract.spans import Span

_PLACE = r"[A-Z][\w'\u2019\-]+(?:\s[A-Z][\w'\u2019\-]+)?"
_STRONG = re.compile(
    rf"\b(?:visit(?:ed|s)?\s+(?:to\s+)?|held\s+in\s+|took\s+place\s+in\s+|talks\s+in\s+|arrived\s+in\s+|"
    rf"met\s+in\s+|meeting\s+in\s+|summit\s+in\s+|hosted\s+in\s+)(?P<place>{_PLACE})"
    rf"(?:,\s*(?P<country>{_PLACE}))?"
)
_WEAK = re.compile(rf"\b(?:in|at)\s+(?P<place>{_PLACE})(?:,\s*(?P<country>{_PLACE}))?")
_NOT_PLACE = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
     "the", "this", "that", "particular", "addition", "general", "accordance", "order", "turn", "central",
     "charge", "terms", "view", "line", "light", "response", "support", "favor", "favour", "total"}
)  # fmt: skip


# "in Foreign Affairs Ministry": the phrase continues into an organisation name.
_ORG_CONTINUES = re.compile(r"\s+(?:[A-Z][\w-]+\s+){0,2}(?:" + "|".join(ORG_HEADS) + r")\b", re.IGNORECASE)


def _acceptable(place: str, text: str, end: int, sentence: Span) -> bool:
    """Whether ``place``, ending at ``end``, names a place; what follows it is read in place, not copied
    (a long sentence may offer many rejected places)."""
    first = fold(place.split()[0])
    if first in _NOT_PLACE or any(fold(w) in ORG_HEADS for w in place.split()):
        return False
    return not _ORG_CONTINUES.match(text, end, sentence.end)


def find_place(text: str, sentences: list[Span], skip: set[int]) -> tuple[str, Span, str | None, str] | None:
    """(place, span, country, rule) of the event; sentences whose start is in ``skip`` are background."""
    # The earliest event sentence wins (a lead states where it happened; a later "his first visit to
    # <country>" is colour); within a sentence a venue phrase beats a bare "in <place>".
    for sentence in sentences:
        if sentence.start in skip or not MEETING_CUE.search(sentence.text):
            continue
        for pattern, rule in ((_STRONG, "visit-or-venue"), (_WEAK, "event-sentence")):
            for m in pattern.finditer(text, sentence.start, sentence.end):
                place = m.group("place")
                if place in COUNTRIES and m.group("country") is None and rule == "event-sentence":
                    continue
                if not _acceptable(place, text, m.end("place"), sentence):
                    continue
                country = m.group("country") if m.group("country") in COUNTRIES else None
                s, e = m.start("place"), m.end("place")
                return place, Span(s, e, text[s:e]), country, rule
    return None
