"""iter_articles: files and folders in, Articles and IngestError values out, never an exception."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.errors import IngestError
from ingest.article import Article
from ingest.sources import DEFAULT_MAX_BYTES, READERS, iter_articles

GOOD_TEXT = (
    " date 2022-03-08 LUNDMARK, Veloria, Mar. 8\n\nMinister Ada Ferro met envoys of the Korsa League.\n"
)


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return str(path)


def split(results: list[Article | IngestError]) -> tuple[list[Article], list[IngestError]]:
    articles = [r for r in results if isinstance(r, Article)]
    errors = [r for r in results if isinstance(r, IngestError)]
    assert len(articles) + len(errors) == len(results)
    return articles, errors


# description, file name, content, words the one-line problem must contain
BAD_FILES = [
    ("empty file", "empty.txt", b"", ["empty file"]),
    ("whitespace only", "blank.txt", b"  \n\t\n", ["empty"]),
    ("binary", "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary", "NUL"]),
    (
        "latin-1 text",
        "old.txt",
        "Caf\u00e9 talks in Lundmark".encode("latin-1"),
        ["not UTF-8", "0xe9", "re-save"],
    ),
    (
        "HTML declaring a charset its bytes break",
        "page.html",
        b'<html><head><meta charset="utf-8"></head><body><p>Caf\xe9</p></body></html>',
        ["not UTF-8", "re-save as UTF-8"],
    ),
    (
        "HTML declaring an unknown charset",
        "page2.html",
        b'<html><head><meta charset="klingon-8"></head><body><p>x</p></body></html>',
        ["unknown charset", "klingon-8"],
    ),
    ("malformed JSON", "items.json", b'{"text": "unfinished', ["malformed JSON", "line 1"]),
    ("JSON scalar", "number.json", b"42", ["expected a JSON object"]),
    ("JSON empty list", "none.json", b"[]", ["no items"]),
    (
        "JSON item without text or html",
        "one.json",
        b'{"title": "Only a title"}',
        ["neither 'text' nor 'html'"],
    ),
    ("JSON item with empty text", "hollow.json", b'{"text": "   "}', ["text is empty"]),
    ("JSON field of the wrong type", "typed.json", b'{"text": ["a"]}', ["'text' must be a string"]),
    ("malformed XML feed", "feed.xml", b"<rss version='2.0'><channel><title>x</tit", ["malformed XML"]),
    (
        "XML that is not a feed",
        "data.xml",
        b"<?xml version='1.0'?><catalog><book/></catalog>",
        ["not an RSS or Atom"],
    ),
    (
        "feed without items",
        "quiet.rss",
        b"<rss version='2.0'><channel><title>T</title></channel></rss>",
        ["no items"],
    ),
    (
        "HTML page with no article text",
        "shell.html",
        b"<html><head><title>Loading</title></head><body><script>app()</script></body></html>",
        ["no article text"],
    ),
    ("JSON Lines with only blank lines", "blank.jsonl", b"\n\n  \n", ["no items"]),
]


@pytest.mark.parametrize(
    ("description", "name", "content", "words"), BAD_FILES, ids=[r[0] for r in BAD_FILES]
)
def test_bad_file_gives_one_clear_error_and_the_next_file_is_still_read(
    tmp_path: Path, description: str, name: str, content: bytes, words: list[str]
) -> None:
    bad = write(tmp_path, name, content)
    good = write(tmp_path, "zz_good.txt", GOOD_TEXT)

    articles, errors = split(list(iter_articles([bad, good])))

    assert [a.origin for a in articles] == [good], description
    assert len(errors) == 1, errors
    (error,) = errors
    assert error.origin == bad
    message = str(error)
    assert message.startswith(bad)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_missing_path_is_an_error_and_the_others_are_read(tmp_path: Path) -> None:
    good = write(tmp_path, "a.txt", GOOD_TEXT)
    missing = str(tmp_path / "nowhere.txt")

    articles, errors = split(list(iter_articles([missing, good])))

    assert [a.origin for a in articles] == [good]
    assert [str(e) for e in errors] == [f"{missing}: no such file or directory"]


def test_directory_without_article_files_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    write(folder, "notes.docx", b"PK\x03\x04")
    write(folder, ".hidden.txt", GOOD_TEXT)

    (error,) = iter_articles([str(folder)])

    assert isinstance(error, IngestError)
    assert error.origin == str(folder)
    assert "no article files" in error.problem
    assert ".txt" in error.problem


def test_oversized_file_names_the_limit_and_the_option(tmp_path: Path) -> None:
    big = write(tmp_path, "big.txt", "word " * 100)

    (error,) = iter_articles([big], max_bytes=100)

    assert isinstance(error, IngestError)
    assert "100-byte limit" in error.problem
    assert "--max-bytes" in error.problem
    assert DEFAULT_MAX_BYTES == 5 * 1024 * 1024
    (article,) = iter_articles([big], max_bytes=1000)
    assert isinstance(article, Article)


def test_folders_are_walked_recursively_sorted_skipping_hidden_and_unknown_files(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", GOOD_TEXT)
    write(tmp_path, "a/z.txt", GOOD_TEXT)
    write(
        tmp_path,
        "a/c.html",
        "<html><body><article><p>" + "Ferro spoke. " * 30 + "</p></article></body></html>",
    )
    write(tmp_path, "a/readme.md", GOOD_TEXT)
    write(tmp_path, ".git/x.txt", GOOD_TEXT)
    write(tmp_path, "a/.draft.txt", GOOD_TEXT)
    write(tmp_path, "UPPER.TXT", GOOD_TEXT)

    articles, errors = split(list(iter_articles([str(tmp_path)])))

    assert errors == []
    names = [Path(a.origin).relative_to(tmp_path).as_posix() for a in articles]
    assert names == ["UPPER.TXT", "b.txt", "a/c.html", "a/z.txt"]


def test_paths_stay_exactly_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "corpus/one.txt", GOOD_TEXT)
    monkeypatch.chdir(tmp_path)

    (from_file,) = iter_articles(["corpus/../corpus/one.txt"])
    (from_folder,) = iter_articles(["corpus"])

    assert isinstance(from_file, Article)
    assert isinstance(from_folder, Article)
    assert (from_file.origin, from_file.source) == ("corpus/../corpus/one.txt",) * 2
    assert from_folder.origin == "corpus/one.txt"


@pytest.mark.parametrize(
    ("description", "content", "content_type"),
    [
        ("JSON object", b'{"text": "Ferro met the envoy."}', "application/json"),
        ("JSON Lines", b'{"text": "one"}\n{"text": "two"}\n', "application/json"),
        (
            "RSS",
            b"<rss version='2.0'><channel><item><description>Ferro met.</description></item></channel></rss>",
            "application/rss+xml",
        ),
        ("HTML", b"<p>Ferro met the envoy in Lundmark on Monday.</p>", "text/html"),
        ("plain text", b"Ferro met the envoy.", "text/plain"),
    ],
)
def test_a_file_named_explicitly_with_an_unknown_extension_is_sniffed(
    tmp_path: Path, description: str, content: bytes, content_type: str
) -> None:
    path = write(tmp_path, "download.dat", content)

    articles, errors = split(list(iter_articles([path])))

    assert errors == [], description
    assert articles
    assert {a.content_type for a in articles} == {content_type}


@pytest.mark.parametrize(
    ("description", "encoding"),
    [("UTF-8 BOM", "utf-8-sig"), ("UTF-16 BOM", "utf-16"), ("UTF-32 BOM", "utf-32")],
)
def test_byte_order_marks_decide_the_encoding_and_are_not_kept(
    tmp_path: Path, description: str, encoding: str
) -> None:
    path = write(tmp_path, "bom.txt", GOOD_TEXT.replace("Ferro", "Ferr\u00f2").encode(encoding))

    (article,) = iter_articles([path])

    assert isinstance(article, Article), description
    assert article.raw == GOOD_TEXT.replace("Ferro", "Ferr\u00f2")
    assert not article.raw.startswith(codecs.BOM_UTF8.decode("utf-8"))
    assert article.published == "2022-03-08"


@pytest.mark.parametrize(
    ("description", "name", "content"),
    [
        (
            "HTML meta charset",
            "old.html",
            (
                '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
                "<body><article><h1>Caf\u00e9 summit</h1><p>Ferro and the envoy met at the Caf\u00e9 Mira.</p>"
                "</article></body></html>"
            ),
        ),
        (
            "XML encoding declaration",
            "old.xml",
            (
                '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item>'
                "<title>Caf\u00e9 summit</title><description>Ferro and the envoy met at the Caf\u00e9 Mira.</description>"
                "</item></channel></rss>"
            ),
        ),
    ],
)
def test_a_declared_charset_is_honoured(tmp_path: Path, description: str, name: str, content: str) -> None:
    path = write(tmp_path, name, content.encode("cp1252"))

    (article,) = iter_articles([path])

    assert isinstance(article, Article), (description, article)
    assert "Caf\u00e9 Mira" in article.text
    assert "Caf\u00e9" in article.raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), extension=st.sampled_from([*sorted(READERS), ".dat"]))
def test_junk_bytes_never_raise(tmp_path: Path, data: bytes, extension: str) -> None:
    path = write(tmp_path, f"junk{extension}", data)

    results = list(iter_articles([path]))

    assert results
    for result in results:
        assert isinstance(result, Article | IngestError)
        if isinstance(result, IngestError):
            assert "bug in Accord" not in result.problem
            assert result.origin.startswith(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=300),
    extension=st.sampled_from(sorted(READERS)),
    wrapper=st.sampled_from(
        [
            "{}",
            '{{"text": "{}"}}',
            "<rss version='2.0'><channel><item>{}</item></channel></rss>",
            "<html><body>{}</body></html>",
        ]
    ),
)
def test_structured_junk_never_raises(tmp_path: Path, text: str, extension: str, wrapper: str) -> None:
    path = write(tmp_path, f"junk{extension}", wrapper.format(text).encode("utf-8", "surrogatepass"))

    for result in iter_articles([path]):
        assert isinstance(result, Article | IngestError)
        if isinstance(result, IngestError):
            assert "bug in Accord" not in result.problem
