"""Labelled corpora for measuring the matcher: the seed reports, ECB+, and the synthetic stream.

Relative paths are resolved from the repository root (the folder holding ``pyproject.toml``); the
shared data lives next to the repository in ``../shared``. Loaders read the texts and the gold grouping,
and derive the hard-negative pairs (items in different gold groups that look alike for a good reason:
same people, same topic). Nothing here copies corpus text into the repository.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from evaluation.cat_xml import join_tokens, read_sentences
from evaluation.errors import CorpusFormatError, CorpusNotFoundError
from evaluation.synthetic import generate

Pair = tuple[str, str]


@dataclass(frozen=True, kw_only=True)
class LabelledItem:
    """One text with its gold group.

    ``source`` is an opaque, unique id that reveals nothing about the gold group. ``origin`` tells a human
    where the text came from (a file path, an outlet) and may reveal the gold group: show it in reports,
    never give it to the system under test.
    """

    source: str
    title: str
    published: str | None
    text: str
    gold: str
    origin: str = ""


@dataclass(frozen=True, kw_only=True)
class LabelledCorpus:
    name: str
    items: list[LabelledItem]
    hard_negative_pairs: frozenset[Pair] = field(default_factory=frozenset)

    def gold_clusters(self) -> list[set[str]]:
        """Sources grouped by gold key, in order of first appearance."""
        groups: dict[str, set[str]] = {}
        for item in self.items:
            groups.setdefault(item.gold, set()).add(item.source)
        return list(groups.values())


@cache
def repo_root() -> Path:
    """The folder holding ``pyproject.toml`` above this package."""
    here = Path(__file__).resolve().parent
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    raise CorpusNotFoundError(here, "pyproject.toml (the repository root)")


def resolve(path: str | Path) -> Path:
    """``path`` as is when absolute, else relative to the repository root."""
    path = Path(path)
    return path if path.is_absolute() else repo_root() / path


def pair(a: str, b: str) -> Pair:
    """An unordered pair in its canonical (sorted) form."""
    return (a, b) if a <= b else (b, a)


def _cross_pairs(groups: Iterable[Iterable[str]]) -> set[Pair]:
    """All pairs of items taken from two different groups."""
    pairs: set[Pair] = set()
    for first, second in itertools.combinations([list(g) for g in groups], 2):
        pairs.update(pair(a, b) for a in first for b in second)
    return pairs


def _folder(path: str | Path, what: str) -> Path:
    folder = resolve(path)
    if not folder.is_dir():
        raise CorpusNotFoundError(folder, what)
    return folder


def _first_line(text: str, limit: int = 120) -> str:
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def load_seeds(path: str | Path = "../shared/seeds") -> LabelledCorpus:
    """The five seed reports, grouped as ``expected.json`` says; hard negatives share a participant."""
    folder = _folder(path, "seed folder")
    expected_path = folder / "expected.json"
    if not expected_path.is_file():
        raise CorpusNotFoundError(expected_path, "seed ground truth expected.json")
    try:
        meetings: list[dict[str, Any]] = json.loads(expected_path.read_text(encoding="utf-8"))["meetings"]
    except (ValueError, KeyError) as e:
        raise CorpusFormatError(expected_path, f"not the expected ground truth ({e})") from e
    gold_of = {report: meeting["key"] for meeting in meetings for report in meeting["reports"]}
    items = []
    for file in sorted(folder.glob("*.txt")):
        if file.name not in gold_of:
            raise CorpusFormatError(file, "has no meeting in expected.json")
        text = file.read_text(encoding="utf-8")
        items.append(
            LabelledItem(
                source=file.name, title=_first_line(text), published=None, text=text, gold=gold_of[file.name]
            )
        )
    present = {item.source for item in items}
    by_participant: dict[str, list[list[str]]] = defaultdict(list)
    for meeting in meetings:
        reports = [r for r in meeting["reports"] if r in present]
        for person in meeting.get("participants", []):
            by_participant[person].append(reports)
    hard = set().union(*(_cross_pairs(groups) for groups in by_participant.values()))
    return LabelledCorpus(name="seeds", items=items, hard_negative_pairs=frozenset(hard))


def _ecbplus_item(file: Path, root: Path) -> LabelledItem:
    sentences = read_sentences(file)
    if not sentences:
        raise CorpusFormatError(file, "holds no <token> before its annotations")
    relative = file.relative_to(root).as_posix()
    subcorpus = "ecbplus" if file.name.endswith("ecbplus.xml") else "ecb"
    origin = relative
    if subcorpus == "ecbplus":
        # Sentence 0 is the page address. Only ecbplus files have one, so keeping it in the text would
        # tell a system which of a topic's two events it is reading about.
        origin = f"{relative} {''.join(sentences[0])}"
        sentences = sentences[1:]
    text = "\n".join(join_tokens(tokens) for tokens in sentences)
    return LabelledItem(
        source="ecbplus://" + hashlib.sha1(relative.encode()).hexdigest()[:12],
        title=_first_line(text),
        published=None,
        text=text,
        gold=f"{file.parent.name}/{subcorpus}",
        origin=origin,
    )


def load_ecbplus(
    path: str | Path = "../shared/ecbplus", *, topics: Iterable[str] | None = None
) -> LabelledCorpus:
    """ECB+ texts read from tokens only; gold is (topic, ecb|ecbplus); hard negatives: same topic, other event.

    ``topics`` limits loading to some topic folders (e.g. ``["1", "3"]``). Items are ordered by their opaque
    source id, which mixes the two events of a topic.
    """
    root = _folder(path, "ECB+ folder")
    wanted = None if topics is None else set(topics)
    files = sorted(
        file
        for file in root.glob("*/*.xml")
        if file.name.endswith(("ecb.xml", "ecbplus.xml")) and (wanted is None or file.parent.name in wanted)
    )
    if not files:
        raise CorpusFormatError(root, "holds no topic folders with *ecb.xml / *ecbplus.xml files")
    items = sorted((_ecbplus_item(file, root) for file in files), key=lambda item: item.source)
    by_topic: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        topic, _ = item.gold.split("/")
        by_topic[topic][item.gold].append(item.source)
    hard = set().union(*(_cross_pairs(groups.values()) for groups in by_topic.values()))
    return LabelledCorpus(name="ecbplus", items=items, hard_negative_pairs=frozenset(hard))


def load_synthetic(n: int, seed: int = 0) -> LabelledCorpus:
    """``n`` synthetic reports; hard negatives pair each recurring meeting with the pair's previous one."""
    items: list[LabelledItem] = []
    previous_of: dict[str, str] = {}
    for report in generate(n, seed=seed):
        items.append(
            LabelledItem(
                source=report.source,
                title=report.title,
                published=report.published,
                text=report.text,
                gold=report.gold,
                origin=report.outlet,
            )
        )
        if report.hard_negative_of is not None:
            previous_of[report.gold] = report.hard_negative_of
    members: dict[str, list[str]] = defaultdict(list)
    for item in items:
        members[item.gold].append(item.source)
    hard = set().union(*(_cross_pairs((members[g], members[p])) for g, p in previous_of.items()))
    return LabelledCorpus(name=f"synthetic-{n}-seed{seed}", items=items, hard_negative_pairs=frozenset(hard))
