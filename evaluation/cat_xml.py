"""Read the text of a CAT (CROMER) XML document, as ECB+ ships it, from its tokens only.

The reader stops at the first ``<Markables>`` or ``<Relations>`` element: those hold the annotators' gold
mentions and links, which a system under test must never see, so this module never even parses them.
Tokens are joined back into running text with English spacing (no space before ``,`` or ``'s``, none after
an opening quote or bracket, hyphenated words closed up) and one line per sentence.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

_GOLD_ELEMENTS = frozenset({"Markables", "Relations"})
_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "''", "”", "'", "n't", "N'T"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "``", "\u201c", "\u2018", "$", "#"})
_CLOSE_UP = frozenset({"-", "/"})  # compounds and alternatives: year-old, and/or
_CLITICS = frozenset({"s", "t", "m", "re", "ll", "ve", "d"})
_PTB_QUOTES = {"``": '"', "''": '"'}


def read_sentences(path: Path) -> list[list[str]]:
    """Token texts grouped by sentence number, in document order, read before any gold annotation."""
    sentences: dict[int, list[str]] = {}
    for sentence, text in _tokens(path):
        sentences.setdefault(sentence, []).append(text)
    return [sentences[number] for number in sorted(sentences)]


def _tokens(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as stream:
        for event, element in ET.iterparse(stream, events=("start", "end")):
            if event == "start" and element.tag in _GOLD_ELEMENTS:
                return
            if event == "end" and element.tag == "token":
                yield int(element.get("sentence", "0")), element.text or ""
                element.clear()


def _is_clitic(token: str) -> bool:
    return token.startswith("'") and token[1:].lower() in _CLITICS


def _between_short(previous: str, following: str, token: str) -> bool:
    if token == ":":  # clock times: 3:30
        return previous.isdigit() and following.isdigit()
    # abbreviations split letter by letter: a.m., U.S.
    return len(previous) == 1 and previous.isalpha() and len(following) == 1 and following.isalpha()


def join_tokens(tokens: list[str]) -> str:
    """One sentence's tokens as text with ordinary English spacing."""
    out: list[str] = []
    glue_next = True  # no space before the first token
    double_quote_open = False
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        glue_before, glue_after = False, False
        if token == '"':
            glue_before, glue_after = double_quote_open, not double_quote_open
            double_quote_open = not double_quote_open
        elif token.count('"') % 2:  # the tokenizer sometimes leaves a quote on a word: '"You'
            double_quote_open = not double_quote_open
        elif token in ".:" and _between_short(previous, following, token):
            glue_before, glue_after = True, True
        elif token == "\u2019":
            glue_before, glue_after = True, following.lower() in _CLITICS
        elif token in _CLOSE_UP:
            glue_before, glue_after = True, True
        elif token in _NO_SPACE_BEFORE or _is_clitic(token):
            glue_before = True
        elif token in _NO_SPACE_AFTER:
            glue_after = True
        if out and not (glue_before or glue_next):
            out.append(" ")
        out.append(_PTB_QUOTES.get(token, token))
        glue_next = glue_after
    return "".join(out)
