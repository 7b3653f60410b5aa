"""Grouping the reports of one candidate component into events, and saying why for each report.

The result is a deterministic function of the set of profiles and constraints (DESIGN.md, "Matcher
contract"): inputs are sorted by report id, every pair is scored in id order, and edges are merged strongest
first with ties broken by ids. Merging is complete-link: two groups join only if no pair across them is
vetoed or cannot-linked and their average cross score reaches the merge threshold, so A~B and B~C never
drag a vetoed A-C pair into one event.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from matcher.features import DEFAULT_CONFIG, MatcherConfig, PairScore, score_pair
from matcher.profile import ReportProfile

Outcome = Literal["merged", "new", "review"]
MAX_CANDIDATES = 5


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """Another report and how it scored against this one. ``constraint`` is "must_link" or "cannot_link"
    when a human decided about this pair."""

    report_id: str
    score: float
    features: Mapping[str, float]
    veto: str | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)
    constraint: str | None = None


@dataclass(frozen=True, kw_only=True)
class Decision:
    """What clustering decided for one report.

    ``outcome`` is "merged" when its cluster has other members, "review" when it stands alone but a
    candidate scored at least the review threshold (``review_with`` names it), else "new".
    ``candidates`` are the (at most five) other reports with the strongest evidence, vetoed ones included.
    """

    report_id: str
    cluster: tuple[str, ...]
    outcome: Outcome
    best: Candidate | None
    candidates: tuple[Candidate, ...]
    review_with: str | None = None


@dataclass(frozen=True, kw_only=True)
class Clustering:
    """The groups, each report's decision, and ``links``: the pairs at the merge threshold without a veto,
    strongest first (the only pairs across which two groups could have joined)."""

    clusters: tuple[tuple[str, ...], ...]
    decisions: tuple[Decision, ...]
    links: tuple[tuple[str, str], ...] = ()

    def decision(self, report_id: str) -> Decision:
        for d in self.decisions:
            if d.report_id == report_id:
                return d
        raise KeyError(report_id)


Pair = tuple[str, str]


def cluster(
    profiles: Sequence[ReportProfile],
    *,
    must_link: Iterable[tuple[str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    config: MatcherConfig = DEFAULT_CONFIG,
    memo: MutableMapping[Pair, PairScore] | None = None,
) -> Clustering:
    """Cluster one candidate component (a few hundred reports at most: every pair is scored).

    Human constraints win over scores: must-link pairs are joined first, even across a veto; a cannot-link
    pair never ends up in one cluster unless must-links force it (must-link wins a contradiction).
    Constraints naming reports outside ``profiles`` are ignored. Raises ValueError when two different
    profiles carry the same report id (which one to use would depend on input order).

    ``memo`` holds pair scores by id pair (lower id first), as ``score_pair(lower, higher, config)`` gives
    them; pairs it lacks are scored and added. A caller may keep it across calls (and share it with
    ``expand_component``), with the same ``config``, as long as none of the profiles changes.
    """
    by_id: dict[str, ReportProfile] = {}
    for p in profiles:
        if by_id.setdefault(p.report_id, p) != p:
            raise ValueError(f"two different profiles for report {p.report_id!r}: pass one per report")
    ids = sorted(by_id)
    known: MutableMapping[Pair, PairScore] = {} if memo is None else memo
    scores: dict[Pair, PairScore] = {}
    for pair in combinations(ids, 2):
        score = known.get(pair)
        if score is None:
            score = known[pair] = score_pair(by_id[pair[0]], by_id[pair[1]], config)
        scores[pair] = score
    must = _pairs(must_link, by_id)
    cannot = _pairs(cannot_link, by_id)

    groups = _Groups(ids)
    for x, y in sorted(must):
        groups.union(x, y)
    edges = sorted(
        (pair for pair, s in scores.items() if s.veto is None and s.score >= config.merge_threshold),
        key=lambda pair: (-scores[pair].score, pair),
    )
    for x, y in edges:
        gx, gy = groups.members(x), groups.members(y)
        if gx is not gy and _compatible(gx, gy, scores, cannot, config):
            groups.union(x, y)

    clusters = groups.clusters()
    cluster_of = {rid: c for c in clusters for rid in c}
    decisions = tuple(_decide(rid, cluster_of[rid], ids, scores, must, cannot, config) for rid in ids)
    return Clustering(clusters=clusters, decisions=decisions, links=tuple(edges))


def _pairs(pairs: Iterable[tuple[str, str]], known: Mapping[str, object]) -> frozenset[Pair]:
    out: set[Pair] = set()
    for x, y in pairs:
        if x != y and x in known and y in known:
            out.add((min(x, y), max(x, y)))
    return frozenset(out)


def _key(x: str, y: str) -> Pair:
    return (x, y) if x < y else (y, x)


def _compatible(
    gx: list[str],
    gy: list[str],
    scores: Mapping[Pair, PairScore],
    cannot: frozenset[Pair],
    config: MatcherConfig,
) -> bool:
    """Complete compatibility: every cross pair allowed, and the average cross score high enough."""
    total = 0.0
    for x in gx:
        for y in gy:
            pair = _key(x, y)
            if pair in cannot or scores[pair].veto is not None:
                return False
            total += scores[pair].score
    return total / (len(gx) * len(gy)) >= config.merge_threshold


class _Groups:
    """Union-find over report ids that keeps each group's member list."""

    def __init__(self, ids: Iterable[str]) -> None:
        self._group: dict[str, list[str]] = {rid: [rid] for rid in ids}

    def members(self, rid: str) -> list[str]:
        return self._group[rid]

    def union(self, x: str, y: str) -> None:
        gx, gy = self._group[x], self._group[y]
        if gx is gy:
            return
        if len(gx) < len(gy):
            gx, gy = gy, gx
        gx.extend(gy)
        for rid in gy:
            self._group[rid] = gx

    def clusters(self) -> tuple[tuple[str, ...], ...]:
        unique = {id(g): g for g in self._group.values()}
        return tuple(sorted(tuple(sorted(g)) for g in unique.values()))


def _decide(
    rid: str,
    members: tuple[str, ...],
    ids: list[str],
    scores: Mapping[Pair, PairScore],
    must: frozenset[Pair],
    cannot: frozenset[Pair],
    config: MatcherConfig,
) -> Decision:
    """One report's decision. Only the candidates it names are built: the ``MAX_CANDIDATES`` with the
    strongest evidence, and the best (a mate when it was merged, else the best eligible other)."""
    pair_with = {other: _key(rid, other) for other in ids if other != rid}
    ranked = heapq.nsmallest(MAX_CANDIDATES, pair_with, key=lambda o: (-scores[pair_with[o]].evidence, o))
    candidates = tuple(_candidate(rid, other, scores, must, cannot) for other in ranked)

    def by_score(other: str) -> tuple[float, str]:
        return (-scores[pair_with[other]].score, other)

    if len(members) > 1:
        best = min((other for other in pair_with if other in members), key=by_score)
        return Decision(
            report_id=rid,
            cluster=members,
            outcome="merged",
            best=_candidate(rid, best, scores, must, cannot),
            candidates=candidates,
        )
    # Eligible: no veto, and no cannot-link.
    eligible = [
        other
        for other, pair in pair_with.items()
        if scores[pair].veto is None and _constraint(pair, must, cannot) != "cannot_link"
    ]
    best_eligible = _candidate(rid, min(eligible, key=by_score), scores, must, cannot) if eligible else None
    review = best_eligible is not None and best_eligible.score >= config.review_threshold
    return Decision(
        report_id=rid,
        cluster=members,
        outcome="review" if review else "new",
        best=best_eligible,
        candidates=candidates,
        review_with=best_eligible.report_id if review and best_eligible else None,
    )


def _candidate(
    rid: str, other: str, scores: Mapping[Pair, PairScore], must: frozenset[Pair], cannot: frozenset[Pair]
) -> Candidate:
    pair = _key(rid, other)
    s = scores[pair]
    return Candidate(
        report_id=other,
        score=s.score,
        features=s.features,
        veto=s.veto,
        reasons=s.reasons,
        constraint=_constraint(pair, must, cannot),
    )


def _constraint(pair: Pair, must: frozenset[Pair], cannot: frozenset[Pair]) -> str | None:
    """The human word on ``pair``: a must-link wins over a cannot-link on the same pair."""
    return "must_link" if pair in must else "cannot_link" if pair in cannot else None
