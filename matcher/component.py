"""The part of the candidate graph a new report touches: what ``cluster`` must re-decide.

Reports are nodes; an edge joins two reports that blocking brings together and that score at least the
review threshold without a veto. Re-clustering the whole connected component of a new report gives the
same grouping whatever order the reports arrived in (DESIGN.md, "Matcher contract").
"""

from __future__ import annotations

import heapq
import math
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
    left_out: dict[str, float | None] | None = None,
) -> list[ReportProfile]:
    """Strongest links first from ``seed``: the seed first, then reports in the order they were reached.

    ``fetch_candidates`` is the shell's indexed lookup (reports sharing a query key with the given one; see
    ``matcher.blocking``); it may return the report itself or duplicates. The report looked up next is the
    one reached by the strongest link (then the lowest id), and among a report's new neighbours the
    nearest are taken first; at ``max_size`` the walk stops, so a huge component is cut deterministically
    around the seed rather than all of it re-clustered. Links at the merge threshold are followed before
    weaker ones, so a cut walk has looked up the reports the seed could be grouped with, not some
    reports two review-level links away instead.

    ``edges`` memoises, by id pair (lower id first), each scored pair's edge score (None: no edge). A
    caller may keep it across walks, with the same ``config``, as long as none of the profiles changes.
    ``scores``, if given, receives the full score of each pair the walk scores (``cluster``'s ``memo``:
    the clustering of the component then need not score those pairs again).

    ``left_out``, if given, receives for each report whose candidates were looked up the best edge score
    among its neighbours the walk did not reach (None: it reached them all). A cut walk leaves out some
    neighbours of its last reports, and never looks up the candidates of the reports still queued: the
    caller can tell which reports it saw whole.
    """
    memo: MutableMapping[tuple[str, str], float | None] = {} if edges is None else edges
    reached: dict[str, ReportProfile] = {seed.report_id: seed}
    queue: list[tuple[float, str, ReportProfile]] = [(-math.inf, seed.report_id, seed)]
    # Each report whose candidates were looked up, with the neighbours it had that were not reached yet.
    linked: dict[str, dict[str, tuple[float, ReportProfile]]] = {}
    while queue and len(reached) < max_size:
        _, _, node = heapq.heappop(queue)
        neighbours = linked[node.report_id] = {}
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
        for rid, (score, other) in sorted(neighbours.items(), key=lambda item: (-item[1][0], item[0])):
            if len(reached) >= max_size:
                break
            reached[rid] = other
            heapq.heappush(queue, (-score, rid, other))
    if left_out is not None:
        for rid, neighbours in linked.items():
            missed = [score for other, (score, _) in neighbours.items() if other not in reached]
            left_out[rid] = max(missed, default=None)
    return list(reached.values())


def _edge(s: PairScore, config: MatcherConfig) -> float | None:
    """The pair's score if it joins the two reports in the candidate graph, else None."""
    return s.score if s.veto is None and s.score >= config.review_threshold else None
