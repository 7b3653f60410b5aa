"""Bytes → text: a BOM or a charset declaration first, else strict UTF-8, never a silent guess.

A file that is not UTF-8 and does not say what it is gets an error telling the user to re-save it, because
guessing (cp1252, latin-1) would store wrong characters in an immutable log.
"""

from __future__ import annotations

import codecs
import re

from accord.errors import IngestError

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_DECLARATION_WINDOW = 4096


def declared_charset(data: bytes) -> str | None:
    """The charset an XML declaration or an HTML ``<meta>`` in the first few KB names, if any."""
    head = data[:_DECLARATION_WINDOW]
    match = _XML_DECLARATION.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def decode(origin: str, data: bytes, *, markup: bool) -> str:
    """Decode a file's bytes; raise ``IngestError`` for binary or undecodable content.

    ``markup`` says whether an XML/HTML charset declaration may be honoured (HTML, XML, feeds). The result
    never starts with a BOM.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _checked(origin, _strict(origin, data, codec, f"{codec} (by its byte-order mark)"))
    if b"\x00" in data:
        raise IngestError(origin, "binary file (contains NUL bytes), not a text article")
    charset = declared_charset(data) if markup else None
    if charset is not None and _normalised(charset) != "utf-8":
        try:
            codecs.lookup(charset)
        except LookupError:
            raise IngestError(origin, f"declares unknown charset {charset!r}; re-save as UTF-8") from None
        return _strict(origin, data, charset, f"{charset} as declared")
    return _strict(origin, data, "utf-8", "UTF-8")


def _strict(origin: str, data: bytes, codec: str, what: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        bad = data[e.start : e.start + 1].hex()
        raise IngestError(
            origin, f"not {what} (invalid byte 0x{bad} at offset {e.start}); re-save as UTF-8"
        ) from e


def _checked(origin: str, text: str) -> str:
    if "\x00" in text:
        raise IngestError(origin, "binary file (contains NUL characters), not a text article")
    return text


def _normalised(charset: str) -> str:
    try:
        return codecs.lookup(charset).name.replace("_", "-")
    except LookupError:
        return charset
