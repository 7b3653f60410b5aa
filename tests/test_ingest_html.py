"""HTML reader: article text without navigation, sidebars or footers; title and date from the markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import IngestError
from ingest.article import Article
from ingest.html import extract_html
from ingest.sources import iter_articles

SIDEBAR_HEADLINES = [
    "Flood warnings issued for the Sarn valley",
    "Orva United sacks coach after derby defeat",
]

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Ferro meets Korsa League chief | The Lundmark Courier</title>
<meta property="og:title" content="Ferro meets Korsa League chief">
{meta}
</head><body>
<header><nav><ul>
<li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li>
</ul></nav></header>
<main>
<article>
<h1>Ferro meets Korsa League chief</h1>
{time}
<p>Foreign Minister Ada Ferro of Veloria met Tomas Brel, Secretary-General of the Korsa League (KL), in
Lundmark on Tuesday to discuss a joint plan for managing the shared river basin.</p>
<p>The two sides agreed to set up an expert group on water allocation and to review progress at a
ministerial meeting next spring, according to a statement from the Velorian foreign ministry.</p>
<p>Brel praised what he called Veloria's constructive role in the league and invited Ferro to address
its council in the autumn.</p>
</article>
<aside class="sidebar"><h2>Most read</h2><ul>
<li><a href="/a"><time datetime="2019-01-01">1 Jan</time> Flood warnings issued for the Sarn valley</a></li>
<li><a href="/b">Orva United sacks coach after derby defeat</a></li>
</ul></aside>
</main>
<footer><p>Copyright 2023 The Lundmark Courier. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""


def write_page(tmp_path: Path, *, meta: str = "", time: str = "") -> str:
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(meta=meta, time=time), encoding="utf-8")
    return str(path)


def test_navigation_sidebar_and_footer_stay_out_of_the_text(tmp_path: Path) -> None:
    path = write_page(
        tmp_path, meta='<meta property="article:published_time" content="2023-05-02T09:30:00+02:00">'
    )

    (article,) = iter_articles([path])

    assert isinstance(article, Article)
    assert "Foreign Minister Ada Ferro of Veloria met Tomas Brel" in article.text
    assert "invited Ferro to address" in article.text
    for boilerplate in [*SIDEBAR_HEADLINES, "Most read", "Copyright", "Privacy", "Sport"]:
        assert boilerplate not in article.text
    assert article.title == "Ferro meets Korsa League chief"
    assert article.published == "2023-05-02T09:30:00+02:00"
    assert article.content_type == "text/html"
    assert article.raw == Path(path).read_text(encoding="utf-8")
    assert (article.source, article.origin, article.item_key) == (path, path, None)


@pytest.mark.parametrize(
    ("description", "meta", "time", "expected"),
    [
        (
            "meta article:published_time",
            '<meta property="article:published_time" content="2023-05-02">',
            "",
            "2023-05-02",
        ),
        (
            "itemprop datePublished",
            '<meta itemprop="datePublished" content="2023-05-03T08:00:00Z">',
            "",
            "2023-05-03T08:00:00+00:00",
        ),
        ("time element of the article", "", '<time datetime="2023-05-04">4 May 2023</time>', "2023-05-04"),
        (
            "JSON-LD datePublished",
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-05-05"}</script>',
            "",
            "2023-05-05",
        ),
        ("only the sidebar has a time", "", "", None),
    ],
)
def test_publication_date_from_markup(
    tmp_path: Path, description: str, meta: str, time: str, expected: str | None
) -> None:
    (article,) = iter_articles([write_page(tmp_path, meta=meta, time=time)])

    assert isinstance(article, Article)
    assert article.published == expected, description


@pytest.mark.parametrize(
    ("description", "fragment", "expected"),
    [
        ("one short paragraph", "<p>Ferro met <b>Brel</b>.</p>", "Ferro met Brel."),
        (
            "two paragraphs",
            "<p>Ferro met Brel in Orva.</p><p>They spoke of water.</p>",
            "Ferro met Brel in Orva.\nThey spoke of water.",
        ),
        ("script dropped", "<div>Talks ended.<script>track()</script></div>", "Talks ended."),
    ],
)
def test_fragment_too_short_for_trafilatura_still_gives_its_text(
    description: str, fragment: str, expected: str
) -> None:
    extract = extract_html(fragment)

    assert extract is not None, description
    assert extract.text == expected


def test_page_without_article_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "app.html"
    path.write_text(
        "<html><head><title>App</title></head><body><div id='root'></div></body></html>", encoding="utf-8"
    )

    (error,) = iter_articles([str(path)])

    assert isinstance(error, IngestError)
    assert error.origin == str(path)
    assert "no article text" in error.problem
