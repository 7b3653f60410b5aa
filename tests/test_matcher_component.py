"""Blocking keys and the component walk, over an in-memory index shaped like the store's table."""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import ReportProfile, cluster, expand_component, index_keys, query_keys, score_pair
from matcher.blocking import salient_words
from matcher.features import PairScore
from tests.test_matcher_cases import AGENCY, FAIR, IN_PERSON, MINISTRY, NEXT_YEAR, profile
from tests.test_matcher_cluster import profiles as random_profiles


class Index:
    """The store's (key, report_id) table with an equality index on key."""

    def __init__(self, items: Iterable[ReportProfile]) -> None:
        self.rows: dict[str, set[str]] = defaultdict(set)
        self.by_id: dict[str, ReportProfile] = {}
        for p in items:
            self.add(p)

    def add(self, p: ReportProfile) -> None:
        self.by_id[p.report_id] = p
        for key in index_keys(p):
            self.rows[key].add(p.report_id)

    def fetch(self, p: ReportProfile) -> list[ReportProfile]:
        ids = set().union(*(self.rows.get(k, set()) for k in query_keys(p)))
        return [self.by_id[i] for i in sorted(ids)]


KEY_ROWS = [
    {
        "description": "an exact date touches the ISO weeks of the day +-3 days",
        "input": profile("a", date_from="2022-03-14", people={"anna kovalenko"}),
        "expected": {"p:anna kovalenko|2022-W10", "p:anna kovalenko|2022-W11", "p:anna kovalenko|any"},
    },
    {
        "description": "an undated report is indexed under 'undated' only",
        "input": profile("a", places={"tarnow"}),
        "expected": {"l:tarnow|undated"},
    },
    {
        "description": "a window wider than ten weeks is blocked as undated",
        "input": profile("a", date_from="2022-01-01", date_to="2022-06-30", organizations={"eldoria"}),
        "expected": {"o:eldoria|undated"},
    },
]


@pytest.mark.parametrize("row", KEY_ROWS, ids=[r["description"] for r in KEY_ROWS])
def test_index_keys(row: dict) -> None:
    assert index_keys(row["input"]) == row["expected"]


def test_salient_words_skip_sentence_starts_and_titles() -> None:
    p = profile(
        "a", title="Talks in Silverport", text="Delegates met Minister Kovalenko. Rain fell in Silverport."
    )
    assert salient_words(p) == ("silverport", "kovalenko")


PAIRS = [
    {"description": "exact day and a range around it", "input": (MINISTRY, AGENCY), "expected": True},
    {
        "description": "dated and undated",
        "input": (MINISTRY, replace(AGENCY, date_from=None, date_to=None)),
        "expected": True,
    },
    {
        "description": "both undated",
        "input": (
            replace(MINISTRY, date_from=None, date_to=None, exact_date=False),
            replace(AGENCY, date_from=None, date_to=None),
        ),
        "expected": True,
    },
    {
        "description": "vague range and exact day",
        "input": (
            replace(
                AGENCY,
                date_from=MINISTRY.date_from.replace(month=1),
                date_to=MINISTRY.date_from.replace(month=6),
            ),
            MINISTRY,
        ),
        "expected": True,
    },
    {"description": "a year apart", "input": (MINISTRY, NEXT_YEAR), "expected": False},
    {
        "description": "nothing in common",
        "input": (MINISTRY, profile("z", date_from="2022-03-14")),
        "expected": False,
    },
]


@pytest.mark.parametrize("row", PAIRS, ids=[r["description"] for r in PAIRS])
def test_whichever_arrives_second_finds_the_first(row: dict) -> None:
    a, b = row["input"]
    assert bool(query_keys(b) & index_keys(a)) is row["expected"]
    assert bool(query_keys(a) & index_keys(b)) is row["expected"]


def test_expand_component_reaches_the_meeting_and_not_the_rest() -> None:
    index = Index([MINISTRY, NEXT_YEAR, FAIR, IN_PERSON])
    reached = expand_component(AGENCY, index.fetch)
    assert [p.report_id for p in reached] == ["r-agency", "r-in-person", "r-ministry"]
    assert cluster(reached).clusters == (("r-agency", "r-in-person"), ("r-ministry",))


def test_expand_component_follows_chains_breadth_first() -> None:
    # Each report shares one person with the next only; review-level edges chain them into one component.
    chain = [
        profile(f"c{i}", date_from="2022-03-14", people={f"person {i}", f"person {i + 1}"}) for i in range(5)
    ]
    assert score_pair(chain[0], chain[1]).score >= 0.5
    index = Index(chain)
    reached = expand_component(chain[0], index.fetch)
    assert [p.report_id for p in reached] == ["c0", "c1", "c2", "c3", "c4"]
    assert [p.report_id for p in expand_component(chain[0], index.fetch, max_size=3)] == ["c0", "c1", "c2"]


def test_component_is_the_same_whatever_the_index_order() -> None:
    items = [MINISTRY, AGENCY, IN_PERSON, NEXT_YEAR, FAIR]
    seen = {
        frozenset(p.report_id for p in expand_component(MINISTRY, Index(order).fetch))
        for order in (items, items[::-1], items[2:] + items[:2])
    }
    assert seen == {frozenset({"r-ministry", "r-agency", "r-in-person"})}


def _arrive(order: list[ReportProfile]) -> frozenset[frozenset[str]]:
    """Feed reports one by one as the shell does; return the final grouping."""
    index = Index([])
    group_of: dict[str, frozenset[str]] = {}
    for p in order:
        index.add(p)
        for group in cluster(expand_component(p, index.fetch)).clusters:
            for rid in group:
                group_of[rid] = frozenset(group)
    return frozenset(group_of.values())


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_final_grouping_does_not_depend_on_arrival_order(data: st.DataObject) -> None:
    items = data.draw(random_profiles())
    shuffled = data.draw(st.permutations(items))
    assert _arrive(items) == _arrive(shuffled)


def test_a_shared_edge_memo_scores_each_pair_once_and_changes_no_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matcher.component

    items = [MINISTRY, AGENCY, IN_PERSON, NEXT_YEAR, FAIR]
    index = Index(items)
    scored: list[tuple[str, str]] = []

    def counting(a: ReportProfile, b: ReportProfile, config: object) -> object:
        scored.append((a.report_id, b.report_id))
        return score_pair(a, b)

    monkeypatch.setattr(matcher.component, "score_pair", counting)
    memo: dict[tuple[str, str], float | None] = {}
    walks = [[p.report_id for p in expand_component(seed, index.fetch, edges=memo)] for seed in items]
    with_memo = list(scored)
    assert walks == [[p.report_id for p in expand_component(seed, index.fetch)] for seed in items]
    assert len(scored) > len(with_memo) + len(memo)  # without it, the walks score pairs again
    assert sorted(with_memo) == sorted(memo)  # with it, each pair once, lower id first
    assert memo[("r-agency", "r-ministry")] is not None


def test_a_walk_hands_its_full_scores_to_the_clustering(monkeypatch: pytest.MonkeyPatch) -> None:
    """``scores`` receives each pair the walk scores; the clustering then scores only the pairs the walk
    did not (reports of the component that are not each other's candidates), with the same result."""
    scoring = importlib.import_module("matcher.cluster")  # the package's ``cluster`` is the function
    items = [MINISTRY, AGENCY, IN_PERSON, NEXT_YEAR, FAIR]
    index = Index(items)
    scores: dict = {}  # type: ignore[type-arg]
    component = expand_component(MINISTRY, index.fetch, edges={}, scores=scores)
    assert scores, "the walk scores the seed's candidates"
    assert all(s == score_pair(index.by_id[a], index.by_id[b]) for (a, b), s in scores.items())
    walked = dict(scores)
    rescored: list[tuple[str, str]] = []

    def counting(a: ReportProfile, b: ReportProfile, config: object) -> object:
        rescored.append((a.report_id, b.report_id))
        return score_pair(a, b)

    monkeypatch.setattr(scoring, "score_pair", counting)
    with_memo = cluster(component, memo=scores)
    ids = sorted(p.report_id for p in component)
    assert sorted(rescored) == sorted(set(combinations(ids, 2)) - set(walked))
    assert with_memo == cluster(component)


# A graph given by hand: (report, report) -> score; merge level is 0.8, review level 0.5 (DEFAULT_CONFIG).
STRONG, WEAK = 0.95, 0.6
LINKS = {("s", "m"): STRONG, ("m", "m2"): STRONG, ("m2", "m3"): STRONG,
         ("s", "w"): WEAK, ("w", "x1"): WEAK, ("w", "x2"): WEAK, ("w", "x3"): WEAK}  # fmt: skip


def _walk_by_hand(
    monkeypatch: pytest.MonkeyPatch, max_size: int
) -> tuple[list[str], dict[str, float | None]]:
    import matcher.component

    nodes = {rid: profile(rid) for pair in LINKS for rid in pair}

    def scored(a: ReportProfile, b: ReportProfile, config: object = None) -> PairScore:
        pair = tuple(sorted((a.report_id, b.report_id)))
        return PairScore(score=LINKS.get(pair, LINKS.get(pair[::-1], 0.0)), features={})  # type: ignore[arg-type]

    def fetch(p: ReportProfile) -> list[ReportProfile]:
        return [nodes[y if x == p.report_id else x] for x, y in LINKS if p.report_id in (x, y)]

    monkeypatch.setattr(matcher.component, "score_pair", scored)
    left_out: dict[str, float | None] = {}
    reached = expand_component(nodes["s"], fetch, max_size=max_size, left_out=left_out)
    return [p.report_id for p in reached], left_out


def test_a_cut_walk_follows_merge_level_links_before_weaker_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """s's group is s-m-m2-m3 (strong links); w hangs off s by a weak one and has three weak neighbours.
    Breadth first, a walk cut at 6 looked w up before m2 and filled up with x1, x2 instead of m3."""
    reached, left_out = _walk_by_hand(monkeypatch, max_size=6)
    assert reached[:5] == ["s", "m", "w", "m2", "m3"]
    # What the cut left out, per report looked up: nothing for the strong chain; w lost a weak neighbour.
    assert {rid: left_out[rid] for rid in ("s", "m", "m2")} == {"s": None, "m": None, "m2": None}
    assert left_out["w"] == WEAK
    uncut, everything = _walk_by_hand(monkeypatch, max_size=100)
    assert sorted(uncut) == sorted({rid for pair in LINKS for rid in pair})
    assert all(best is None for best in everything.values())
