"""Plain-text reader: the whole file is the text; datelines and obvious headlines."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.article import Article
from ingest.sources import iter_articles
from ingest.text import dateline_date, headline

DATELINES = [
    ("agency dateline", " date 2021-10-15 BAKU, Azerbaijan, Oct. 15\n\nBody.", "2021-10-15"),
    ("dateline without leading space", "date 2019-02-01 LUNDMARK, Veloria, Feb. 1", "2019-02-01"),
    ("dateline after blank lines", "\n\n  date 2020-12-31 ORVA, Kestria, Dec. 31\nBody.", "2020-12-31"),
    (
        "dateline and text on one line",
        " date 2024-01-17 ORVA, Kestria, January 17. Kestria has said",
        "2024-01-17",
    ),
    ("impossible date", " date 2021-02-30 ORVA, Kestria, Feb. 30", None),
    ("date later in the text", "Ministers met.\n date 2021-10-15 ORVA", None),
    ("a word starting with date", "dated 2021-10-15 records show", None),
    ("no dateline", "Ministers met on Tuesday.", None),
]


@pytest.mark.parametrize(("description", "text", "expected"), DATELINES, ids=[r[0] for r in DATELINES])
def test_dateline_date(description: str, text: str, expected: str | None) -> None:
    assert dateline_date(text) == expected, description


HEADLINES = [
    (
        "headline set apart",
        "Veloria and Korsa League agree on water plan\n\nMinister Ferro said.",
        "Veloria and Korsa League agree on water plan",
    ),
    ("breadcrumb", "Home\n\\\nPolitics\n\nBody text here.", None),
    ("first sentence", "Minister Ada Ferro met the envoy in Lundmark on Tuesday.\n\nMore.", None),
    ("dateline", " date 2021-10-15 ORVA, Kestria, Oct. 15\n\nBody.", None),
    ("no blank line after", "Veloria and Korsa League agree on water plan\nMinister Ferro said.", None),
    ("nothing after it", "Veloria and Korsa League agree on water plan\n\n", None),
]


@pytest.mark.parametrize(("description", "text", "expected"), HEADLINES, ids=[r[0] for r in HEADLINES])
def test_headline_only_when_obvious(description: str, text: str, expected: str | None) -> None:
    assert headline(text) == expected, description


def test_text_file_article(tmp_path: Path) -> None:
    content = " date 2021-10-15 ORVA, Kestria, Oct. 15\n\nMinister Ada Ferro met the envoy.\n"
    path = tmp_path / "wire.txt"
    path.write_text(content, encoding="utf-8")

    (article,) = iter_articles([str(path)])

    assert article == Article(
        source=str(path),
        origin=str(path),
        item_key=None,
        title=None,
        published="2021-10-15",
        content_type="text/plain",
        raw=content,
        text=content,
    )
