"""How the event was held: by videoconference, by phone, or in person (only on explicit evidence)."""

from __future__ import annotations

import re

from extract.spans import Span

# Checked in this order: a report of an online meeting may still mention a past or planned visit.
_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("videoconference", re.compile(
        r"\bvideo[- ]?conferenc\w*|\bvideoconfrenc\w*|\bonline (?:meeting|talks|conference|format|session)s?\b"
        r"|\bvideo[- ]?link\b|\bvirtual(?:ly)? (?:meeting|format|talks|conference)\b|\bvia (?:zoom|video)\b",
        re.IGNORECASE)),
    ("phone call", re.compile(
        r"\b(?:tele)?phone (?:call|conversation|talks)s?\b|\bspoke (?:by|over the) (?:tele)?phone\b",
        re.IGNORECASE)),
    # A capitalised word is quoted whole ("visit to Veloria", not "visit to V").
    ("in-person", re.compile(
        r"\bvisit(?:ed|ing|s)?\s+(?:to\s+)?(?:the\s+)?[A-Z][\w'\u2019-]*|\b(?:official|working|state|two-day|"
        r"three-day|high-level) visit\b|\bmet with\b|\btalks in [A-Z][\w'\u2019-]*|\bin[- ]person\b"
        r"|\bface[- ]to[- ]face\b|\barrived in [A-Z][\w'\u2019-]*|\bon the sidelines of\b"
        # a host "received" a named visitor; credentials are presented by hand
        r"|\breceived\s+(?:(?:Mr|Ms|Mrs|Dr)\.(?:\s*(?:[A-Z]\.\s*)*[A-Z][\w'\u2019-]*)?|H\.\s?E\.|[A-Z][\w'-]+\s+[A-Z][\w'\u2019-]*)"
        r"|\bpresented\s+(?:a\s+copy\s+of\s+)?(?:his|her|their)\s+credentials\b")),
)  # fmt: skip

FORMATS = tuple(label for label, _ in _FORMATS)


def find_format(text: str, sentences: list[Span]) -> tuple[str, Span] | None:
    """The event format and the words that show it; None when the text gives no evidence."""
    for label, pattern in _FORMATS:
        for sentence in sentences:
            m = pattern.search(text, sentence.start, sentence.end)
            if m:
                return label, Span(m.start(), m.end(), m.group(0))
    return None
