"""Normalised keys for personal names, so transliteration and spelling variants compare equal.

"Berdimuhamedow", "Berdimuhamedov" and "Berdymukhammedov" share a key; so do "Michèle" and "Michele".
The key is surname first, so a bare-surname mention ("Mr. Voronkov") can be matched on its first word.
"""

from __future__ import annotations

import re
import unicodedata

from extract.lexicon import (
    HONORIFICS,
    NAME_PARTICLES,
    NON_NAME_SUFFIXES,
    NON_NAME_WORDS,
    ORG_HEADS,
    TITLE_WORDS,
)
from extract.places_data import COUNTRY_WORDS

# Order matters: multi-letter spellings first, then endings.
_SPELLINGS = (("kh", "h"), ("dzh", "j"), ("zh", "j"), ("ph", "f"), ("ck", "k"), ("w", "v"), ("y", "i"))
# "CPUs", "DVDs": plural acronyms are things.
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")
# "Doe's" names Doe: the possessive is no part of the name.
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_ENDINGS = (("off", "ov"), ("eff", "ev"), ("ow", "ov"), ("ew", "ev"), ("owa", "ova"), ("ewa", "eva"))


def fold(text: str) -> str:
    """Lower case without diacritics: "Michèle" → "michele", "Ö" → "o"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("đ", "d").lower()


def token_key(token: str) -> str:
    for old, new in _ENDINGS:
        if token.endswith(old):
            token = token[: -len(old)] + new
            break
    for old, new in _SPELLINGS:
        token = token.replace(old, new)
    # Doubled letters are a transliteration choice ("Muhammedov" / "Muhamedov").
    return re.sub(r"(.)\1+", r"\1", token)


def name_tokens(name: str) -> list[str]:
    """The name's words, folded, without honorifics, initials' dots or particles."""
    words = re.findall(r"[a-z]+(?:['\u2019][a-z]+)?", _POSSESSIVE.sub("", fold(name)).replace("-", " "))
    out = [w.replace("'", "").replace("\u2019", "") for w in words]
    while out and (out[0] in HONORIFICS or out[0] == "h" or out[0] == "e"):
        out = out[1:]
    return [w for w in out if w not in NAME_PARTICLES] or out


def surname_key(name: str) -> str:
    """The normalised last name ("Mr. Vladimir Voronkov" → "voronkov")."""
    tokens = name_tokens(name)
    return token_key(tokens[-1]) if tokens else ""


def person_key(name: str) -> str:
    """A surname-first key for comparing people across reports: "Rashid Meredow" → "meredov rashid"."""
    tokens = [token_key(t) for t in name_tokens(name)]
    if not tokens:
        return ""
    return " ".join([tokens[-1], *tokens[:-1]])


def could_be_name_word(word: str) -> bool:
    """Whether a capitalised word may be part of a personal name (not a title, place or common noun)."""
    if not word or not word[0].isupper() or (word.isupper() and len(word) > 1):
        return False
    if not any(ch.isalpha() for ch in word):
        return False
    low = fold(word)
    if low in NON_NAME_WORDS or low in TITLE_WORDS or low in ORG_HEADS or low in COUNTRY_WORDS:
        return False
    if any(part in TITLE_WORDS or part in NON_NAME_WORDS for part in low.split("-") if len(part) > 3):
        return False
    if _ACRONYM_PLURAL.fullmatch(word):
        return False
    if low.endswith(("ance", "ence")) and len(low) >= 10:
        return False
    if low.endswith("ing") and len(low) >= 8:
        return False
    return not low.endswith(NON_NAME_SUFFIXES)
