"""The part of the candidate graph a new report touches: what ``cluster`` must re-decide.

Reports are nodes; an edge joins two reports that blocking brings together and that score at least the
review threshold without a veto. Re-clustering the whole connected component of a new report gives the
same grouping whatever order the reports arrived in (DESIGN.md, "Matcher contract").
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, MutableMapping

from matcher.features import DEFAULT_CONFIG, MatcherConfig, PairScore, score_pair
from matcher.profile import ReportProfile


def expand_component(
    seed: ReportProfile,
    fetch_candidates: Callable[[ReportProfile], Iterable[ReportProfile]],
    *,
    config: MatcherConfig = DEFAULT_CONFIG,
    max_size: int = 300,
    edges: MutableMapping[tuple[str, str], float | None] | None = None,
    scores: MutableMapping[tuple[str, str], PairScore] | None = None,
) -> list[ReportProfile]:
    """Breadth-first from ``seed``: the seed first, then reports in the order they were reached.

    ``fetch_candidates`` is the shell's indexed lookup (reports sharing a query key with the given one; see
    ``matcher.blocking``); it may return the report itself or duplicates. Among a report's new neighbours the
    nearest (highest score, then id) are taken first; at ``max_size`` the walk stops, so a huge component
    is cut deterministically around the seed rather than all of it re-clustered.

    ``edges`` memoises, by id pair (lower id first), each scored pair's edge score (None: no edge). A
    caller may keep it across walks, with the same ``config``, as long as none of the profiles changes.
    ``scores``, if given, receives the full score of each pair the walk scores (``cluster``'s ``memo``:
    the clustering of the component then need not score those pairs again).
    """
    memo: MutableMapping[tuple[str, str], float | None] = {} if edges is None else edges
    reached: dict[str, ReportProfile] = {seed.report_id: seed}
    queue: deque[ReportProfile] = deque([seed])
    while queue and len(reached) < max_size:
        node = queue.popleft()
        neighbours: dict[str, tuple[float, ReportProfile]] = {}
        for other in fetch_candidates(node):
            if other.report_id in reached or other.report_id in neighbours:
                continue
            a, b = (node, other) if node.report_id < other.report_id else (other, node)
            pair = (a.report_id, b.report_id)
            if pair in memo:
                score = memo[pair]
            else:
                full = score_pair(a, b, config)
                if scores is not None:
                    scores[pair] = full
                score = memo[pair] = _edge(full, config)
            if score is not None:
                neighbours[other.report_id] = (score, other)
        for _, (_, other) in sorted(neighbours.items(), key=lambda item: (-item[1][0], item[0])):
            if len(reached) >= max_size:
                break
            reached[other.report_id] = other
            queue.append(other)
    return list(reached.values())


def _edge(s: PairScore, config: MatcherConfig) -> float | None:
    """The pair's score if it joins the two reports in the candidate graph, else None."""
    return s.score if s.veto is None and s.score >= config.review_threshold else None
