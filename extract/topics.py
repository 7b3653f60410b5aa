"""What the event was about: a small lexicon of policy themes plus named documents (strategies, treaties)."""

from __future__ import annotations

import re

from extract.spans import Span

_THEMES: tuple[tuple[str, str], ...] = (
    ("counter-terrorism", r"counter[- ]?terrori\w+|terrorism"),
    ("violent extremism", r"violent extremism|extremism"),
    (
        "information security",
        r"information(?:al)? security|security in the information(?:al)? space|cyber\w*",
    ),
    ("preventive diplomacy", r"preventive diplomacy"),
    ("non-proliferation and disarmament", r"non-proliferation|disarmament|nuclear weapons?"),
    (
        "organized crime",
        r"(?:transnational |cross-border )?(?:organi[sz]ed )?crime|human trafficking|drug trafficking",
    ),
    ("neutrality", r"neutrality|neutralism"),
    ("sustainable development", r"sustainable development"),
    ("regional security", r"regional (?:and international )?security|international security"),
    ("energy", r"\benerg\w+|natural gas|pipeline"),
    ("trade and economy", r"\btrade\b|investment|economic cooperation"),
    ("transport", r"transport\w*|logistics|railway"),
    ("climate and environment", r"climate|environment\w*"),
    ("health", r"pandemic|covid|public health|vaccin\w+"),
    ("education", r"\beducation\w*|training"),
    ("humanitarian", r"humanitarian|refugees?"),
    ("human rights", r"human rights"),
    ("elections", r"\belection\w*|\bvote\b|ballot"),
    ("disaster", r"earthquake|flood\w*|wildfire|disaster"),
)
_NAMED_DOCUMENT = re.compile(
    r"\b(?:[A-Z][\w-]+\s+){1,5}(?:Strategy|Declaration|Treaty|Convention|Agreement|Charter|Plan of Action|Action Plan)\b"
)


def find_topics(text: str, sentences: list[Span]) -> list[tuple[str, Span, str]]:
    """(topic, span, rule) for each theme and named document, first mention only, text order."""
    seen: set[str] = set()
    out: list[tuple[str, Span, str]] = []
    for label, pattern in _THEMES:
        rx = re.compile(pattern, re.IGNORECASE)
        for sentence in sentences:
            m = rx.search(text, sentence.start, sentence.end)
            if m and label not in seen:
                seen.add(label)
                out.append((label, Span(m.start(), m.end(), m.group(0)), "theme-lexicon"))
                break
    for sentence in sentences:
        for m in _NAMED_DOCUMENT.finditer(text, sentence.start, sentence.end):
            name = re.sub(r"^(?:The|UN|United Nations)\s+", "", m.group(0))
            if name.lower() not in seen and len(name.split()) >= 2:
                seen.add(name.lower())
                out.append((name, Span(m.start(), m.end(), m.group(0)), "named-document"))
    return sorted(out, key=lambda t: t[1].start)
