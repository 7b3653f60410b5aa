"""The demo corpus reads cleanly and its truth file names exactly the reports in it."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.article import Article
from ingest.sources import iter_articles

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "corpus"
NOT_REPORTS = {"README.md"}
EXPECTED = CORPUS.parent / "corpus.expected.json"


def corpus_articles() -> list[Article]:
    paths = sorted(str(p) for p in CORPUS.iterdir() if p.name not in NOT_REPORTS)
    results = list(iter_articles(paths))
    assert all(isinstance(r, Article) for r in results), results
    return [r for r in results if isinstance(r, Article)]


def report_name(article: Article) -> str:
    return article.source if article.source.startswith("http") else Path(article.source).name


def test_every_report_is_short_news() -> None:
    articles = corpus_articles()

    assert 8 <= len(articles) <= 10
    for article in articles:
        assert 120 <= len(article.text.split()) <= 300, report_name(article)


def test_expected_names_every_report_once() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    listed = [r for m in expected["meetings"] for r in m["reports"]]
    listed += [o["report"] for o in expected["other_reports"]]

    assert sorted(listed) == sorted(report_name(a) for a in corpus_articles())
