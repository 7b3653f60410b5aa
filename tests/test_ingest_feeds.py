"""RSS and Atom reader: one article per item, text from the fullest body, stable per-item raw."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import IngestError
from ingest.article import Article
from ingest.sources import iter_articles

RSS2 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Lundmark Courier</title><link>https://courier.example/</link>
<item>
  <title>Ferro meets Korsa League chief</title>
  <link>https://courier.example/ferro-brel</link>
  <guid isPermaLink="false">courier-1001</guid>
  <pubDate>Tue, 02 May 2023 09:30:00 +0200</pubDate>
  <description>Short teaser.</description>
  <content:encoded><![CDATA[<p>Foreign Minister Ada Ferro met Tomas Brel in Lundmark.</p><p>They discussed the river basin.</p>]]></content:encoded>
</item>
<item>
  <title>Floods in the Sarn valley</title>
  <description>Flood warnings were issued for the Sarn valley on Monday.</description>
</item>
</channel></rss>
"""

RSS091 = """<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old wire</title><link>https://wire.example/</link>
<description>x</description><language>en</language>
<item><title>Brel visits Orva</title><link>https://wire.example/brel-orva</link>
<description>Tomas Brel visited Orva.</description></item>
</channel></rss>
"""

RSS10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://wire.example/"><title>Wire</title><link>https://wire.example/</link>
<description>x</description></channel>
<item rdf:about="https://wire.example/council"><title>Council opens</title>
<link>https://wire.example/council</link><description>The Korsa League council opened.</description>
<dc:date>2023-06-01</dc:date></item>
</rdf:RDF>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Ministry news</title><id>urn:veloria:mfa</id>
<updated>2023-05-03T12:00:00Z</updated>
<entry><title>Minister receives envoy</title><id>urn:veloria:mfa:42</id>
<link href="https://mfa.example/news/42"/><published>2023-05-03T10:00:00Z</published>
<updated>2023-05-03T12:00:00Z</updated>
<content type="html">&lt;p&gt;Minister Ada Ferro received the envoy of Kestria.&lt;/p&gt;</content></entry>
<entry><title>Statement on water</title><id>urn:veloria:mfa:43</id><updated>2023-05-04T08:00:00Z</updated>
<summary>The ministry issued a statement on water sharing.</summary></entry>
</feed>
"""


def write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_rss2_items(tmp_path: Path) -> None:
    path = write(tmp_path, "courier.xml", RSS2)

    first, second = iter_articles([path])

    assert isinstance(first, Article)
    assert isinstance(second, Article)
    assert first.source == "https://courier.example/ferro-brel"
    assert (first.origin, first.item_key) == (path, "courier-1001")
    assert first.title == "Ferro meets Korsa League chief"
    assert first.published == "2023-05-02T09:30:00+02:00"
    assert (
        first.text
        == "Foreign Minister Ada Ferro met Tomas Brel in Lundmark.\nThey discussed the river basin."
    )
    assert first.content_type == "application/rss+xml"
    assert first.raw.startswith("<item")
    assert "courier-1001" in first.raw
    assert "Sarn" not in first.raw
    assert (second.source, second.item_key, second.published) == (path, "#2", None)
    assert second.text == "Flood warnings were issued for the Sarn valley on Monday."


@pytest.mark.parametrize(
    ("description", "content", "expected"),
    [
        ("RSS 0.91", RSS091, [("https://wire.example/brel-orva", "Tomas Brel visited Orva.", None)]),
        (
            "RSS 1.0",
            RSS10,
            [("https://wire.example/council", "The Korsa League council opened.", "2023-06-01")],
        ),
    ],
)
def test_older_rss_versions(
    tmp_path: Path, description: str, content: str, expected: list[tuple[str, str, str | None]]
) -> None:
    results = list(iter_articles([write(tmp_path, "wire.rss", content)]))

    assert all(isinstance(r, Article) for r in results), (description, results)
    assert [(a.source, a.text, a.published) for a in results if isinstance(a, Article)] == expected


def test_atom_entries(tmp_path: Path) -> None:
    path = write(tmp_path, "mfa.atom", ATOM)

    first, second = iter_articles([path])

    assert isinstance(first, Article)
    assert isinstance(second, Article)
    assert (first.source, first.item_key) == ("https://mfa.example/news/42", "urn:veloria:mfa:42")
    assert first.text == "Minister Ada Ferro received the envoy of Kestria."
    assert first.published == "2023-05-03T10:00:00+00:00"
    assert first.content_type == "application/atom+xml"
    assert (second.source, second.item_key) == (path, "urn:veloria:mfa:43")
    assert second.published == "2023-05-04T08:00:00+00:00"  # no <published>: <updated> stands in


def test_identical_items_give_identical_raw_in_different_feeds(tmp_path: Path) -> None:
    (_, alone) = iter_articles([write(tmp_path, "a.xml", RSS2)])
    other = RSS2.replace("<title>Lundmark Courier</title>", "<title>Courier mirror</title>")
    (_, mirrored) = iter_articles([write(tmp_path, "b.xml", other)])

    assert isinstance(alone, Article)
    assert isinstance(mirrored, Article)
    assert alone.raw == mirrored.raw


def test_bozo_feed_that_still_reads_is_accepted(tmp_path: Path) -> None:
    # An undefined entity makes the XML ill-formed; feedparser recovers and reads the item.
    content = (
        RSS2.replace("Short teaser.", "Short &nbsp; teaser.").replace("<![CDATA[", "").replace("]]>", "")
    )
    content = content.replace("<p>", "").replace("</p>", " ")
    results = list(iter_articles([write(tmp_path, "loose.xml", content)]))

    assert [type(r) for r in results] == [Article, Article]


def test_item_without_any_body_is_an_error_and_the_rest_are_read(tmp_path: Path) -> None:
    content = RSS2.replace(
        "<description>Flood warnings were issued for the Sarn valley on Monday.</description>", ""
    )
    path = write(tmp_path, "courier.xml", content)

    first, second = iter_articles([path])

    assert isinstance(first, Article)
    assert isinstance(second, IngestError)
    assert second.origin == path
    assert "item 2" in second.problem


@pytest.mark.parametrize(
    ("description", "content", "expected"),
    [
        (
            "an HTML5 page, not well-formed XML",
            (
                "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>Moved</title></head>"
                "<body><p>Our feeds have moved<br><p>See the home page</body></html>"
            ),
            "an HTML page, not an RSS or Atom feed",
        ),
        (
            "an XHTML page after a declaration and a comment",
            (
                '<?xml version="1.0"?>\n<!-- served by x -->\n<html xmlns="http://www.w3.org/1999/xhtml">'
                "<body><p>Not here</p></body></html>"
            ),
            "an HTML page, not an RSS or Atom feed",
        ),
        ("a bare html element", "<HTML><BODY>gone", "an HTML page, not an RSS or Atom feed"),
        (
            "broken XML that is no page",
            "<note><to>Ada</note>",
            "malformed XML (",
        ),
        ("well-formed XML of another kind", "<note><to>Ada</to></note>", "not an RSS or Atom feed"),
    ],
)
def test_a_document_that_is_no_feed_says_what_it_is(
    tmp_path: Path, description: str, content: str, expected: str
) -> None:
    [result] = iter_articles([write(tmp_path, "feed.xml", content)])

    assert isinstance(result, IngestError), description
    assert result.problem.startswith(expected), (description, result.problem)
