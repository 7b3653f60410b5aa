"""JSON and JSON Lines readers: item shapes, keys, stable raw, and bad items spoiling only themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.errors import IngestError
from ingest.article import Article
from ingest.sources import iter_articles

ITEM_A = {
    "url": "https://courier.example/ferro-brel",
    "title": "Ferro meets Brel",
    "published": "2023-05-02",
    "text": "Ada Ferro met Tomas Brel.",
}
ITEM_B = {"id": "wire-77", "html": "<p>The Korsa League council <b>opened</b> in Orva.</p>"}
ITEM_C = {"text": "Flood warnings were issued for the Sarn valley."}


def write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def articles_of(path: str) -> list[Article]:
    results = list(iter_articles([path]))
    assert all(isinstance(r, Article) for r in results), results
    return [r for r in results if isinstance(r, Article)]


@pytest.mark.parametrize(
    ("description", "document"),
    [
        ("list of objects", [ITEM_A, ITEM_B, ITEM_C]),
        ("items wrapper", {"items": [ITEM_A, ITEM_B, ITEM_C], "generator": "fixture"}),
    ],
)
def test_multi_item_json(tmp_path: Path, description: str, document: object) -> None:
    path = write(tmp_path, "items.json", json.dumps(document, indent=2))

    a, b, c = articles_of(path)

    assert (a.source, a.origin, a.item_key) == (ITEM_A["url"], path, ITEM_A["url"]), description
    assert (a.title, a.published, a.text) == ("Ferro meets Brel", "2023-05-02", "Ada Ferro met Tomas Brel.")
    assert (b.source, b.item_key, b.text) == (path, "wire-77", "The Korsa League council opened in Orva.")
    assert (c.source, c.item_key) == (path, "#3")
    assert {x.content_type for x in (a, b, c)} == {"application/json"}
    assert json.loads(a.raw) == ITEM_A


def test_single_object_is_a_single_article_file(tmp_path: Path) -> None:
    content = json.dumps(ITEM_A)
    path = write(tmp_path, "one.json", content)

    (article,) = articles_of(path)

    assert article.item_key is None
    assert article.source == ITEM_A["url"]
    assert article.raw == content


def test_raw_is_stable_whatever_the_formatting(tmp_path: Path) -> None:
    compact = write(tmp_path, "a.json", json.dumps([ITEM_A]))
    reordered = write(tmp_path, "b.json", json.dumps([dict(reversed(ITEM_A.items()))], indent=4))

    (first,) = articles_of(compact)
    (second,) = articles_of(reordered)

    assert first.raw == second.raw
    assert first.content_hash == second.content_hash


@pytest.mark.parametrize("extension", [".jsonl", ".ndjson"])
def test_json_lines_bad_line_spoils_only_itself(tmp_path: Path, extension: str) -> None:
    lines = [
        json.dumps(ITEM_A),
        '{"title": "broken", "text": ',
        "",
        json.dumps({"title": "no body"}),
        '"just a string"',
        json.dumps(ITEM_C),
    ]
    path = write(tmp_path, f"feed{extension}", "\n".join(lines) + "\n")

    results = list(iter_articles([path]))

    articles = [r for r in results if isinstance(r, Article)]
    errors = {e.origin: e.problem for e in results if isinstance(e, IngestError)}
    assert [a.text for a in articles] == [ITEM_A["text"], ITEM_C["text"]]
    assert [a.item_key for a in articles] == [ITEM_A["url"], "#6"]
    assert set(errors) == {f"{path}:2", f"{path}:4", f"{path}:5"}
    assert "malformed JSON" in errors[f"{path}:2"]
    assert "neither 'text' nor 'html'" in errors[f"{path}:4"]
    assert "expected a JSON object" in errors[f"{path}:5"]


def test_bad_item_in_a_json_list_names_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, "items.json", json.dumps([ITEM_A, {"html": ""}, ITEM_C]))

    results = list(iter_articles([path]))

    assert [type(r) for r in results] == [Article, IngestError, Article]
    error = results[1]
    assert isinstance(error, IngestError)
    assert error.origin == path
    assert error.problem.startswith("item 2: ")


def test_unreadable_published_value_is_dropped_not_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "one.json", json.dumps({"text": "x", "published": "last Tuesday"}))

    (article,) = articles_of(path)

    assert article.published is None
