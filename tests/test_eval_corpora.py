"""Corpus loaders: token joining, gold keys, hard negatives, and never reading gold annotations."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from accord.errors import AccordError
from evaluation.cat_xml import join_tokens, read_sentences
from evaluation.corpora import load_ecbplus, load_seeds, load_synthetic, resolve
from evaluation.errors import CorpusFormatError, CorpusNotFoundError

SENTINEL = "Zzyzxannotation"

JOIN_CASES: list[dict[str, Any]] = [
    {"description": "punctuation", "input": ["Hi", ",", "there", "."], "expected": "Hi, there."},
    {"description": "brackets", "input": ["a", "(", "b", ")", "c"], "expected": "a (b) c"},
    {
        "description": "ptb_quotes",
        "input": ["``", "We", "go", "''", "he", "said"],
        "expected": '"We go" he said',
    },
    {
        "description": "straight_quotes",
        "input": ["said", '"', "no", ",", '"', "he"],
        "expected": 'said "no," he',
    },
    {
        "description": "quote_stuck_to_word",
        "input": ['"You', "can", ",", '"', "Owen"],
        "expected": '"You can," Owen',
    },
    {
        "description": "clitics",
        "input": ["it", "'s", "Reid", "'s", "do", "n't"],
        "expected": "it's Reid's don't",
    },
    {
        "description": "curly_apostrophe",
        "input": ["can", "\u2019", "t", "AMD", "\u2019", "s"],
        "expected": "can\u2019t AMD\u2019s",
    },
    {
        "description": "hyphen_and_slash",
        "input": ["33", "-", "year", "-", "old", "and", "/", "or"],
        "expected": "33-year-old and/or",
    },
    {
        "description": "clock_and_abbrev",
        "input": ["3", ":", "30", "a", ".", "m", ".", "fire"],
        "expected": "3:30 a.m. fire",
    },
    {"description": "colon_in_prose", "input": ["Note", ":", "fine"], "expected": "Note: fine"},
    {"description": "currency", "input": ["$", "5", "%"], "expected": "$5%"},
]


@pytest.mark.parametrize("case", JOIN_CASES, ids=[c["description"] for c in JOIN_CASES])
def test_join_tokens(case: dict[str, Any]) -> None:
    assert join_tokens(case["input"]) == case["expected"]


def _cat_xml(name: str, sentences: list[list[str]]) -> str:
    tokens, t_id = [], 0
    for number, sentence in enumerate(sentences):
        for position, token in enumerate(sentence):
            t_id += 1
            tokens.append(f'<token t_id="{t_id}" sentence="{number}" number="{position}">{token}</token>')
    return (
        f'<Document doc_name="{name}" doc_id="DOC1">\n'
        + "\n".join(tokens)
        + f'\n<Markables>\n<ACTION_OCCURRENCE m_id="1" note="{SENTINEL}"><token_anchor t_id="1"/>'
        + f'</ACTION_OCCURRENCE>\n<token t_id="99" sentence="9" number="0">{SENTINEL}</token>\n</Markables>\n'
        + f'<Relations>\n<CROSS_DOC_COREF r_id="1" note="{SENTINEL}"/>\n</Relations>\n</Document>\n'
    )


@pytest.fixture
def fake_ecbplus(tmp_path: Path) -> Path:
    topic = tmp_path / "ecbplus" / "7"
    topic.mkdir(parents=True)
    body = [["A", "flood", "hit", "Springfield", "."], ["Residents", "fled", "."]]
    (topic / "7_1ecb.xml").write_text(_cat_xml("7_1ecb.xml", body), encoding="utf-8")
    (topic / "7_2ecb.xml").write_text(_cat_xml("7_2ecb.xml", body), encoding="utf-8")
    url = ["http", ":", "/", "/", "example", ".", "com", "/", "flood"]
    (topic / "7_1ecbplus.xml").write_text(_cat_xml("7_1ecbplus.xml", [url, *body]), encoding="utf-8")
    return tmp_path / "ecbplus"


def test_reader_never_reads_annotations(fake_ecbplus: Path) -> None:
    sentences = read_sentences(fake_ecbplus / "7" / "7_1ecb.xml")
    assert sentences == [["A", "flood", "hit", "Springfield", "."], ["Residents", "fled", "."]]
    corpus = load_ecbplus(fake_ecbplus)
    for item in corpus.items:
        assert SENTINEL not in item.text + item.title + item.origin + item.source


def test_fake_ecbplus_gold_text_and_hard_negatives(fake_ecbplus: Path) -> None:
    corpus = load_ecbplus(fake_ecbplus)
    assert sorted(item.gold for item in corpus.items) == ["7/ecb", "7/ecb", "7/ecbplus"]
    assert {item.text for item in corpus.items} == {"A flood hit Springfield.\nResidents fled."}
    plus = next(item for item in corpus.items if item.gold == "7/ecbplus")
    assert "example.com" in plus.origin
    assert all("ecb" not in item.source.removeprefix("ecbplus://") for item in corpus.items)
    assert len(corpus.hard_negative_pairs) == 2
    assert len(corpus.gold_clusters()) == 2


def test_missing_folders_raise_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusNotFoundError, match="not found") as raised:
        load_ecbplus(tmp_path / "nowhere")
    assert isinstance(raised.value, AccordError)
    with pytest.raises(CorpusNotFoundError):
        load_seeds(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusFormatError):
        load_ecbplus(tmp_path / "empty")


def test_relative_paths_resolve_from_the_repo_root() -> None:
    assert (resolve("pyproject.toml")).is_file()


needs_ecbplus = pytest.mark.skipif(not resolve("../shared/ecbplus").is_dir(), reason="no shared ECB+ copy")
needs_seeds = pytest.mark.skipif(not resolve("../shared/seeds").is_dir(), reason="no shared seeds")


@needs_ecbplus
def test_real_ecbplus_topic() -> None:
    corpus = load_ecbplus(topics=["1"])
    assert {item.gold for item in corpus.items} == {"1/ecb", "1/ecbplus"}
    assert not any(item.text.startswith("http") for item in corpus.items)
    assert not any(re.search(r" [.,](?!\.)", item.text) for item in corpus.items)
    sizes = [len(group) for group in corpus.gold_clusters()]
    assert len(corpus.hard_negative_pairs) == sizes[0] * sizes[1]


@needs_seeds
def test_seeds() -> None:
    corpus = load_seeds()
    assert len(corpus.items) == 5
    assert len(corpus.gold_clusters()) == 4
    # 000 and 002 are the same two people a year apart: the canonical hard negative.
    assert ("000_99412e052f40a9d5.txt", "002_62c8be059f79aa3c.txt") in corpus.hard_negative_pairs


def test_synthetic_corpus_hard_negatives_cross_gold_groups() -> None:
    corpus = load_synthetic(400, seed=2)
    gold = {item.source: item.gold for item in corpus.items}
    assert corpus.hard_negative_pairs
    assert all(gold[a] != gold[b] for a, b in corpus.hard_negative_pairs)
