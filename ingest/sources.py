"""Files and folders → a stream of ``Article`` values, with one ``IngestError`` value per bad input.

Errors are yielded, not raised, so one unreadable file never stops a batch: the caller reports them and
goes on. Paths are kept exactly as given (never resolved), because they are what the user recognises.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from accord.errors import IngestError
from ingest.article import Article
from ingest.decoding import decode
from ingest.feeds import read_feed_file
from ingest.html import read_html_file
from ingest.jsonitems import read_json_file, read_jsonl_file
from ingest.text import read_text_file

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

Reader = Callable[[str, str], Iterator[Article | IngestError]]

READERS: dict[str, Reader] = {
    ".txt": read_text_file,
    ".html": read_html_file,
    ".htm": read_html_file,
    ".json": read_json_file,
    ".jsonl": read_jsonl_file,
    ".ndjson": read_jsonl_file,
    ".xml": read_feed_file,
    ".rss": read_feed_file,
    ".atom": read_feed_file,
}
_MARKUP_READERS = (read_html_file, read_feed_file)


def iter_articles(
    paths: Iterable[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Article | IngestError]:
    """Yield the articles in ``paths`` (files, or folders walked recursively), and an error per bad input.

    Inside folders only known extensions are read (``READERS``) and hidden files and folders are skipped;
    a file named explicitly is read whatever its extension (its format is then sniffed from its content).
    Files larger than ``max_bytes`` are refused with an error that says how to raise the limit.
    """
    for path in paths:
        if os.path.isdir(path):
            files = list(_walk(path))
            if not files:
                known = " ".join(sorted(READERS))
                yield IngestError(path, f"directory has no article files (looked for {known})")
            for file in files:
                yield from _read_file(file, max_bytes)
        elif os.path.isfile(path):
            yield from _read_file(path, max_bytes)
        elif os.path.exists(path):
            yield IngestError(path, "not a regular file or directory")
        else:
            yield IngestError(path, "no such file or directory")


def _walk(folder: str) -> Iterator[str]:
    """Article files under ``folder``, sorted, a folder's own files before its subfolders; no hidden entries."""
    for directory, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in READERS:
                yield os.path.join(directory, name)


def _read_file(path: str, max_bytes: int) -> Iterator[Article | IngestError]:
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            yield IngestError(
                path,
                f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; raise it with --max-bytes",
            )
            return
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as e:
        yield IngestError(path, f"cannot read: {e.strerror or e}")
        return
    if not data:
        yield IngestError(path, "empty file")
        return
    reader = READERS.get(os.path.splitext(path)[1].lower()) or _sniff(data)
    try:
        content = decode(path, data, markup=reader in _MARKUP_READERS)
        yield from reader(path, content)
    except IngestError as e:
        yield e
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the rest of a batch
        yield IngestError(path, f"could not be read ({type(e).__name__}: {e}); this is a bug in Accord")


def _sniff(data: bytes) -> Reader:
    """Guess the format of a file named without a known extension from its first bytes."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        return (
            read_jsonl_file
            if head.startswith(b"{") and b"}\n{" in data.replace(b"\r", b"")
            else read_json_file
        )
    if head.startswith(b"<"):
        is_feed = any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))
        return read_feed_file if is_feed else read_html_file
    return read_text_file
