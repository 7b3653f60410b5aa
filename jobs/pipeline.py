"""The flow, one article at a time: log it, extract, match — under one savepoint; then project the batch.

Articles are committed in batches (a few dozen, or what fits in ``BATCH_SECONDS``), each article in a
savepoint of its own, so nothing half-written reaches the log: an article whose extraction or matching
fails leaves no event at all, and the next article goes on. The append lock is taken first, so the
projections the matcher reads are exactly the log's state (see ``store.eventlog``). The batch's
articles are projected together before it commits (one catch-up, in the same transaction).

While one batch is matched and projected, the next batch's articles are extracted in a worker process
(``jobs.extracting``): extraction is pure, so where it runs changes nothing that is logged.

Between articles the pipeline keeps what matching read (profiles, blocking-key postings, edge scores,
decisions) in a ``MatchCache``, valid as long as the log has moved only by this pipeline's own articles;
it also holds what the articles logged but not yet projected changed (their profiles, postings and
decisions), so matching sees exactly what it would see had each article been projected at once.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine

from accord.errors import AccordError, IngestError
from extract.facts import Extraction
from extract.report import EXTRACTOR_VERSION, extract_report
from ingest.article import Article
from jobs.extracting import ExtractionsAhead, Extractor, ingest_workers
from matcher import (
    DEFAULT_CONFIG,
    MATCHER_VERSION,
    Candidate,
    Decision,
    MatcherConfig,
    PairScore,
    ReportProfile,
    cluster,
    expand_component,
    profile_from_extraction,
    query_keys,
)
from store.collector import cycle_collection_paused
from store.driver import chunks, fetch, fetch_in
from store.eventlog import EventLog
from store.events import (
    ArticleReceived,
    ArticleRevised,
    DomainEvent,
    MatchDecided,
    NewEvent,
    ReportExtracted,
    article_id_for,
    article_stream,
    utcnow,
)
from store.fanout import worker_pool
from store.fold import UNDECIDED, DerivedReport, Placement, Review, derive_from_profile, placement
from store.projections import Projector, reviews_by_report

# A blocking key shared by more reports than this is too common to discriminate (think "UN" in a UN
# feed): it is skipped for candidate look-ups, so a look-up never degrades into a scan.
MAX_KEY_POSTINGS = 2000
# How much one match may cost, whatever the density of the stream. The clustering scores every pair of
# the component (a component of 100 is ~5000 pair scores, ~0.1 s; of 300, ~1 s), and each report of the
# walk scores its candidates: those sharing the most keys with it are kept (a busy week's place or
# salient word may otherwise bring in thousands).
MAX_COMPONENT = 100
MAX_CANDIDATES = 300
# Articles per transaction: enough to spread the commit and the append lock over many articles, few
# enough that a batch holds the lock for about a second at most (``BATCH_SECONDS``).
BATCH_ARTICLES = 50
BATCH_SECONDS = 1.0


def origin_key(origin: str) -> str:
    """What identifies a source across runs: a URL as given, a file by its absolute path."""
    if "://" in origin:
        return origin
    return os.path.abspath(origin)


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What happened to one input."""

    source: str
    status: str  # "new" | "revised" | "duplicate" | "failed"
    article_id: str | None = None
    message: str | None = None


@dataclass(kw_only=True)
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


class Pipeline:
    """Ingest → extract → match → project, for one database."""

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str = "accord",
        config: MatcherConfig = DEFAULT_CONFIG,
        extractor: Extractor | None = None,
    ) -> None:
        """``extractor`` stands in for ``extract_report`` (a top-level function: worker processes
        receive it by name)."""
        self.engine = engine
        self.actor = actor
        self.config = config
        self.extractor = extractor or extract_report
        self._ahead: ExtractionsAhead | None = None  # during ``ingest``: extractions under way

    def ingest(
        self,
        items: Iterable[Article | IngestError],
        *,
        on_outcome: Callable[[Outcome], None] | None = None,
        metadata: dict[str, Any] | None = None,
        batch: int = BATCH_ARTICLES,
        workers: int | None = None,
    ) -> Summary:
        """Run each item through the flow; up to ``batch`` items share a transaction, each under its own
        savepoint. ``metadata`` (e.g. the feed that delivered the items) is stored on every article event.

        ``on_outcome`` is called once an item's transaction has committed. Items are read from ``items``
        before the transaction that writes them opens (the next batch too, for the workers), so slow
        sources do not hold the append lock.

        Once a second batch is queued behind the first, ``workers`` processes (default
        ``jobs.extracting.ingest_workers()``: ``$ACCORD_INGEST_WORKERS``, else one) extract the queued
        articles while this process matches and projects; they are shut down before this returns.
        """
        size = max(1, batch)
        workers = ingest_workers() if workers is None else workers
        summary = Summary()
        source = iter(items)
        cache = MatchCache()
        ahead = ExtractionsAhead(self.extractor)
        pending: list[Article | IngestError] = list(islice(source, size))
        queued: list[Article | IngestError] = []
        with ExitStack() as stack:
            self._ahead = ahead
            stack.callback(setattr, self, "_ahead", None)
            while pending:
                queued.extend(islice(source, size - len(queued)))
                if queued and workers > 0 and not ahead.started:
                    # A process start costs more than extracting a handful of articles: only a run of
                    # more than one batch starts one.
                    pool = stack.enter_context(worker_pool(workers))
                    if pool is not None:
                        ahead.start(pool)
                        ahead.submit(_articles(pending))
                ahead.submit(_articles(queued))
                try:
                    with cycle_collection_paused(), self.engine.begin() as conn:
                        outcomes = self._ingest_batch(conn, pending, cache, metadata)
                except BaseException:
                    cache.clear()
                    raise
                ahead.forget(_articles(pending[: len(outcomes)]))
                del pending[: len(outcomes)]
                moved = size - len(pending)
                pending.extend(queued[:moved])
                del queued[:moved]
                for outcome in outcomes:
                    summary.outcomes.append(outcome)
                    if on_outcome is not None:
                        on_outcome(outcome)
        return summary

    def _ingest_batch(
        self,
        conn: Connection,
        items: list[Article | IngestError],
        cache: MatchCache,
        metadata: dict[str, Any] | None,
    ) -> list[Outcome]:
        """Ingest items from the front of ``items`` until all are done or ``BATCH_SECONDS`` have passed.

        The articles are projected together at the end (one catch-up for the batch: its reads and writes
        once, not per article); until then matching reads what they changed from ``cache``.
        """
        started = time.perf_counter()
        outcomes: list[Outcome] = []
        # The append lock is taken once for the batch, outside the articles' savepoints (so that a failed
        # article does not drop it): its articles then lock without a round trip each.
        log = EventLog(conn)
        log.lock()
        if not cache.check(log.head()[0]):
            # Outside the savepoints too: projections that cannot be caught up (another fold version
            # built them) stop the batch, where inside they would fail each article on its own.
            Projector(conn).catch_up()
        for item in items:
            if outcomes and time.perf_counter() - started > BATCH_SECONDS:
                break
            if isinstance(item, IngestError):
                outcomes.append(Outcome(source=item.origin, status="failed", message=item.problem))
                continue
            try:
                with conn.begin_nested():
                    outcome = self.ingest_one(conn, item, metadata=metadata, cache=cache, project=False)
            except AccordError as e:
                # The savepoint undid the article's rows; what the cache holds was read before them.
                outcome = Outcome(source=item.source, status="failed", message=str(e))
            outcomes.append(outcome)
        _project(conn, cache)
        return outcomes

    def ingest_one(
        self,
        conn: Connection,
        article: Article,
        *,
        metadata: dict[str, Any] | None = None,
        cache: MatchCache | None = None,
        project: bool = True,
    ) -> Outcome:
        """Log, extract, match and project one article in the caller's transaction.

        ``cache`` carries matching reads over from the previous article (see ``MatchCache``). With
        ``project`` false (``ingest``'s batches) a new article stays in ``cache.unprojected``, to be
        projected with the rest of its batch (``_project``); a revision is projected at once either way.
        """
        log = EventLog(conn)
        log.lock()
        head = log.head()[0]
        cache = cache or MatchCache()
        projector = Projector(conn)
        if not cache.check(head):
            projector.catch_up()  # else the projections are at ``head``: this pipeline put them there

        article_id = article_id_for(origin_key(article.origin), article.item_key)
        stream_id = article_stream(article_id)
        stream = log.stream(stream_id)
        history = [e for e in stream if e.type in (ArticleReceived.TYPE, ArticleRevised.TYPE)]
        version = stream[-1].stream_version if stream else 0
        if history and json.loads(history[-1].payload)["content_hash"] == article.content_hash:
            return Outcome(source=article.source, status="duplicate", article_id=article_id)

        fields: dict[str, Any] = {
            "article_id": article_id,
            "source": article.source,
            "origin": article.origin,
            "item_key": article.item_key,
            "title": article.title,
            "published": article.published,
            "content_type": article.content_type,
            "raw": article.raw,
            "text": article.text,
            "content_hash": article.content_hash,
            "received_at": utcnow().isoformat(),
        }
        received: DomainEvent = (
            ArticleRevised(**fields, revision=len(history) + 1) if history else ArticleReceived(**fields)
        )
        # The article, its extraction and the matcher's decisions go to the log in one append. The
        # append lock is held, so the article lands at the next position, which the extraction names.
        received_at = head + 1
        extraction = self._extract(article)
        extracted = ReportExtracted(
            article_id=article_id,
            article_position=received_at,
            extractor_version=EXTRACTOR_VERSION,
            extraction=extraction.to_dict(),
        )
        # The matcher gets the new report's profile straight from the extraction; the projections catch
        # up once, after the decisions (the report is not in the blocking index until then, and it
        # needs not be: its own look-ups find the others).
        seed = profile_from_extraction(article_id, extraction, article.text, article.title)
        if history:
            _project(conn, cache)  # what the cache alone knows of, before it is emptied
            cache.clear()  # the memo scored this report's old profile
        reads = MatchReads(conn, cache)
        if not history:
            # Never received, so neither projected nor named by a review: no need to ask.
            cache.decisions[article_id] = UNDECIDED
            cache.reviews[article_id] = []
        decisions = self.decide(conn, article_id, trigger=article_id, seed=seed, reads=reads)
        meta = {**(metadata or {}), "actor": self.actor}
        stored = log.append(
            [
                NewEvent(stream_id=stream_id, event=received, metadata=meta, expected_version=version),
                NewEvent(stream_id=stream_id, event=extracted, metadata={**meta, "causation": received_at}),
                *_decision_events(decisions, trigger=article_id),
            ]
        )
        if stored[0].position != received_at:
            raise RuntimeError(f"the log moved under the append lock: {stored[0].position} != {received_at}")
        # The projector folds the extraction from the profile matching built.
        derived = derive_from_profile(extracted.extraction, seed)
        if not cache.unprojected:
            cache.projected_to = head  # nothing was pending: the projections are at ``head``
        cache.unprojected[stored[1].position] = derived
        if history:
            _project(conn, cache)
            cache.clear()  # the projection replaced the old profile and its keys
        else:
            # Until it is projected, matching finds the report here. ``seed`` equals the profile the
            # projection will hold (its JSON reads back equal: tests/test_matcher_profile.py).
            cache.profiles[article_id] = seed
            reads.indexed(article_id, derived.keys)
            reads.decided(decisions)
            if project:
                _project(conn, cache)
        cache.moved_to(stored[-1].position)
        return Outcome(source=article.source, status="revised" if history else "new", article_id=article_id)

    def _extract(self, article: Article) -> Extraction:
        """The article's extraction: done ahead in a worker during ``ingest``, else computed here."""
        if self._ahead is not None:
            return self._ahead.extract(article)
        return self.extractor(article.text, published=article.published, title=article.title)

    # --- matching -----------------------------------------------------------------------------------

    def match(
        self,
        conn: Connection,
        article_id: str,
        *,
        trigger: str,
        only_changes: bool = False,
        seed: ReportProfile | None = None,
        reads: MatchReads | None = None,
    ) -> list[MatchDecided]:
        """Re-cluster the candidate component around one report; log a decision for each changed report.

        ``seed`` is the report's profile when the projections do not hold it yet (a report being ingested).
        ``reads`` may carry a ``MatchCache`` over from earlier calls; by default every read is fresh.
        """
        events = self.decide(
            conn, article_id, trigger=trigger, only_changes=only_changes, seed=seed, reads=reads
        )
        EventLog(conn).append(_decision_events(events, trigger=trigger))
        return events

    def decide(
        self,
        conn: Connection,
        article_id: str,
        *,
        trigger: str,
        only_changes: bool = False,
        seed: ReportProfile | None = None,
        reads: MatchReads | None = None,
    ) -> list[MatchDecided]:
        """What ``match`` logs, without logging it: the decisions, in the order they are to be appended.

        The component is cut at ``MAX_COMPONENT`` reports around the report (the clustering scores every
        pair of it, so its size is what a match costs), each report's candidates at ``MAX_CANDIDATES``.
        Reports the report was clustered with before and that its component no longer reaches (a
        revision or a re-extraction took it away from them) are decided again too, in their own
        components: else their latest decisions would still name it.
        """
        reads = reads or MatchReads(conn)
        seed = seed or reads.profiles([article_id])[article_id]
        settled, placed, events = self._decide_component(
            seed, trigger, only_changes=only_changes, reads=reads
        )
        left = _former_mates(events, placed) - settled
        if left:
            # Their components must see the report as it is now, not as the projections still hold it.
            reads.cache.profiles[article_id] = seed
        while left:
            other = min(left)
            more_settled, more_placed, more = self._decide_component(
                reads.profiles([other])[other], trigger, only_changes=True, reads=reads
            )
            placed.update(more_placed)
            new = [e for e in more if e.article_id not in settled]
            events.extend(new)
            settled |= more_settled | {other}
            left = (left | _former_mates(new, placed)) - settled
        return sorted(events, key=lambda e: e.article_id)

    def _decide_component(
        self, seed: ReportProfile, trigger: str, *, only_changes: bool, reads: MatchReads
    ) -> tuple[set[str], dict[str, Placement], list[MatchDecided]]:
        """The reports of ``seed``'s component whose decisions this settles, every component report's
        decision as projected, and the new decisions: of the settled reports whose placement changes,
        and of the seed itself unless ``only_changes``.

        A component cut at ``MAX_COMPONENT`` leaves out reports its last ones are linked to: a report
        placed without some of the reports it could be grouped with, or alone without a report it could be
        reviewed with, is not decided here (it keeps the decision it has; ``_seen_whole``). The others
        are decided as the uncut component would decide them. The seed and the reports grouped with it
        are always decided, so that their decisions agree on the group.
        """
        # One memo for the walk and the clustering: the clustering reuses the pairs the walk scored.
        scores = reads.cache.scores(self.config)
        left_out: dict[str, float | None] = {}
        component = expand_component(
            seed,
            reads.candidates,
            config=self.config,
            max_size=MAX_COMPONENT,
            edges=reads.cache.edges(self.config),
            scores=scores,
            left_out=left_out,
        )
        ids = {p.report_id for p in component}
        unseen = ids - left_out.keys()  # reached, but the walk was cut before their candidates were read
        # Reports a person tied together belong to the component whatever their scores.
        while True:
            must, cannot = reads.constraints(ids)
            tied = {x for pair in must for x in pair} - ids
            if not tied:
                break
            component.extend(reads.profiles(tied).values())
            ids |= tied
        clustering = cluster(
            component,
            must_link=must,
            cannot_link=cannot,
            config=self.config,
            memo=scores,
        )
        current = reads.decisions(ids)
        seen_whole = _seen_whole(ids, unseen, left_out, [*clustering.links, *must], self.config)
        with_seed = set(clustering.decision(seed.report_id).cluster)
        settled = {d.report_id for d in clustering.decisions if d.report_id in with_seed or seen_whole(d)}
        events = []
        for decision in clustering.decisions:
            if decision.report_id not in settled:
                continue
            unchanged = current.get(decision.report_id) == placement(
                decision.cluster, decision.outcome, decision.review_with
            )
            if unchanged and (only_changes or decision.report_id != seed.report_id):
                continue
            events.append(decided(decision, trigger))
        return settled, current, events


def _former_mates(events: Iterable[MatchDecided], placed: Mapping[str, Placement]) -> set[str]:
    """The reports the decided reports were grouped with before (as ``placed``, the projected decisions,
    has them): their own decisions still name them until they are decided again too."""
    return {
        mate
        for e in events
        if (before := placed.get(e.article_id, UNDECIDED)[0]) is not None
        for mate in json.loads(before)
    }


def _seen_whole(
    ids: set[str],
    unseen: set[str],
    left_out: Mapping[str, float | None],
    links: Iterable[tuple[str, str]],
    config: MatcherConfig,
) -> Callable[[Decision], bool]:
    """Whether a decision of a (possibly cut) component is the one the whole component would give.

    A report can only be grouped with reports joined to it by a chain of merge-level links or human
    ties: its cluster is exact when the walk looked up every report of that chain and reached all their
    merge-level neighbours. A report left alone is reviewed with its best link: that is exact when the
    walk reached all its neighbours. ``links``: the merge-level pairs and human ties among ``ids``.
    ``unseen``: reports whose candidates the walk never read; reports a person tied in (neither walked
    nor unseen) count as seen whole, as they always have.
    """
    if not unseen and all(best is None for best in left_out.values()):
        return lambda decision: True  # not cut: every report was looked up and every neighbour reached
    chains = {rid: {rid} for rid in ids}

    def join(x: str, y: str) -> None:
        cx, cy = chains[x], chains[y]
        if cx is not cy:
            cx |= cy
            for rid in cy:
                chains[rid] = cx

    for x, y in links:
        if x in chains and y in chains:
            join(x, y)

    def merge_complete(rid: str) -> bool:
        best = left_out.get(rid)
        return rid not in unseen and (best is None or best < config.merge_threshold)

    def whole(decision: Decision) -> bool:
        rid = decision.report_id
        if not all(merge_complete(r) for r in chains[rid]):
            return False
        return len(decision.cluster) > 1 or left_out.get(rid) is None

    return whole


def _project(conn: Connection, cache: MatchCache) -> None:
    """Project the articles this pipeline has logged and not projected yet (``cache.unprojected``).

    The projector folds their extractions from the derivations matching built.
    """
    if cache.unprojected:
        Projector(conn).catch_up(checkpoint=cache.projected_to, derived=cache.unprojected)
        cache.projected()


def _articles(items: Sequence[Article | IngestError]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def _decision_events(events: list[MatchDecided], *, trigger: str) -> list[NewEvent]:
    return [
        NewEvent(
            stream_id=article_stream(e.article_id),
            event=e,
            metadata={"actor": "matcher", "trigger": trigger},
        )
        for e in events
    ]


def decided(decision: Decision, trigger: str) -> MatchDecided:
    return MatchDecided(
        article_id=decision.report_id,
        cluster=sorted(decision.cluster),
        outcome=decision.outcome,
        review_with=decision.review_with,
        best=None if decision.best is None else candidate_to_dict(decision.best),
        candidates=[candidate_to_dict(c) for c in decision.candidates],
        matcher_version=MATCHER_VERSION,
        trigger=trigger,
    )


def candidate_to_dict(candidate: Candidate) -> dict[str, Any]:
    return {
        "report_id": candidate.report_id,
        "score": round(candidate.score, 6),
        "features": {k: round(v, 6) for k, v in sorted(candidate.features.items())},
        "veto": candidate.veto,
        "reasons": dict(sorted(candidate.reasons.items())),
        "constraint": candidate.constraint,
    }


def decision_from_payload(payload: dict[str, Any]) -> Decision:
    """The matcher's Decision back from a MatchDecided payload (for explanations)."""

    def candidate(data: dict[str, Any]) -> Candidate:
        return Candidate(
            report_id=data["report_id"],
            score=data["score"],
            features=data["features"],
            veto=data.get("veto"),
            reasons=data.get("reasons") or {},
            constraint=data.get("constraint"),
        )

    return Decision(
        report_id=payload["article_id"],
        cluster=tuple(payload["cluster"]),
        outcome=payload["outcome"],
        best=None if payload["best"] is None else candidate(payload["best"]),
        candidates=tuple(candidate(c) for c in payload["candidates"]),
        review_with=payload["review_with"],
    )


class MatchCache:
    """What matching read from the projections, kept from one article to the next.

    Everything here is a function of the projections at log position ``position`` (as they are, or will
    be once the ``unprojected`` reports are projected: the pipeline projects a batch at its end). The
    pipeline moves the position along for each article it writes itself (adding the new report's
    postings and the decisions it made), and ``check`` empties the cache when the log is found anywhere
    else (another writer, a rolled-back batch). Between two articles only new reports change profiles
    and keys, and only the pipeline's own decisions change decisions, so decisions never depend on the
    cache.
    """

    MAX_EDGES = 500_000  # edge scores kept (about 100 MB); the memo starts over beyond that
    MAX_SCORES = 20_000  # full pair scores kept for the clustering (about 2 KB each), likewise
    # Profiles (with their text) and decisions, and postings kept: a long run starts the cache over beyond
    # these.
    MAX_PROFILES = 20_000
    MAX_KEYS = 300_000

    def __init__(self) -> None:
        self.position: int | None = None
        self.profiles: dict[str, ReportProfile] = {}
        self.query_keys: dict[str, frozenset[str]] = {}
        self.postings: dict[str, list[str] | None] = {}  # None: more than MAX_KEY_POSTINGS
        # The stored reviews naming each report looked up (none: an empty list). A report's profile is read
        # with whether any review names it, so an unreviewed one needs no look-up of its own. Only a review
        # (another writer: ``jobs.review``) changes them, and its append moves the log, which empties the
        # cache (``check``).
        self.reviews: dict[str, list[Review]] = {}
        self.decisions: dict[str, Placement] = {}  # as ``MatchReads.decisions`` gives them
        # Reports logged and not projected yet: their derivations by extraction position, and their
        # index keys' postings for keys not in ``postings``.
        self.unprojected: dict[int, DerivedReport] = {}
        self.unprojected_postings: dict[str, list[str]] = {}
        self.projected_to: int | None = None  # the projections' checkpoint while reports are unprojected
        self._edges: dict[tuple[str, str], float | None] = {}
        self._scores: dict[tuple[str, str], PairScore] = {}
        self._memo_config: MatcherConfig | None = None

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def projected(self) -> None:
        """The unprojected reports are in the projections now; a cache grown too large starts over."""
        self.unprojected, self.unprojected_postings, self.projected_to = {}, {}, None
        full = max(len(self.profiles), len(self.decisions)) > self.MAX_PROFILES
        if full or len(self.postings) > self.MAX_KEYS:
            position = self.position
            self.clear()
            self.position = position

    def check(self, head: int) -> bool:
        """Whether the cache was filled at log position ``head``; if not, empty it (now valid at ``head``)."""
        if head == self.position:
            return True
        self.clear()
        self.position = head
        return False

    def moved_to(self, head: int) -> None:
        """The log is at ``head`` by this pipeline's own writes: what the cache holds is still valid. A
        score memo grown past its cap starts over (between articles, never during one's matching)."""
        self.position = head
        if len(self._edges) > self.MAX_EDGES:
            self._edges = {}
        if len(self._scores) > self.MAX_SCORES:
            self._scores = {}

    def edges(self, config: MatcherConfig) -> dict[tuple[str, str], float | None]:
        """The component walk's memo of edge scores, for ``config`` (another config starts afresh)."""
        self._memos_for(config)
        return self._edges

    def scores(self, config: MatcherConfig) -> dict[tuple[str, str], PairScore]:
        """The pair scores the walk and the clustering computed (``cluster``'s memo), for ``config``."""
        self._memos_for(config)
        return self._scores

    def _memos_for(self, config: MatcherConfig) -> None:
        if config != self._memo_config:
            self._edges, self._scores = {}, {}
            self._memo_config = config


class MatchReads:
    """The matcher's reads: profiles by id, candidates by blocking key (indexed), human constraints."""

    def __init__(self, conn: Connection, cache: MatchCache | None = None) -> None:
        self.conn = conn
        self.cache = cache or MatchCache()  # by default one matcher run reads each row once

    def profiles(self, ids: Iterable[str]) -> dict[str, ReportProfile]:
        known = self.cache.profiles
        wanted = set(ids)
        result = {i: known[i] for i in wanted if i in known}
        for article_id, profile, reviewed in fetch_in(self.conn, _PROFILES, wanted - set(result)):
            if profile is not None:
                result[article_id] = known[article_id] = ReportProfile.from_dict(json.loads(profile))
            if not reviewed:
                self.cache.reviews[article_id] = []
        return result

    def candidates(self, profile: ReportProfile) -> list[ReportProfile]:
        """Reports sharing a usable query key with ``profile`` (or tied to it by a person), not itself.

        At most ``MAX_CANDIDATES`` found by key: those sharing the most keys, then the lowest ids. Tied
        reports always come.
        """
        # A profile the cache holds keeps its keys there; another (a report being ingested) is derived.
        cached = self.cache.profiles.get(profile.report_id) is profile
        keys = self.cache.query_keys.get(profile.report_id) if cached else None
        if keys is None:
            keys = query_keys(profile)
            if cached:
                self.cache.query_keys[profile.report_id] = keys
        postings = self.postings(keys)
        shared: dict[str, int] = {}
        for key in keys:
            for article_id in postings[key] or ():
                shared[article_id] = shared.get(article_id, 0) + 1
        shared.pop(profile.report_id, None)
        ids = set(shared)
        if len(ids) > MAX_CANDIDATES:
            ids = set(sorted(shared, key=lambda i: (-shared[i], i))[:MAX_CANDIDATES])
        must, _ = self.constraints({profile.report_id})
        for a, b in must:
            ids.update((a, b))
        ids.discard(profile.report_id)
        return list(self.profiles(ids).values())

    def postings(self, keys: Iterable[str]) -> dict[str, list[str] | None]:
        """Report ids indexed under each key; None for a key with more than ``MAX_KEY_POSTINGS``.

        One query per chunk of keys reads each key's postings up to ``MAX_KEY_POSTINGS + 1`` (an
        ``entity|any`` key grows with the archive), so a look-up never reads more of a key than that.
        """
        known = self.cache.postings
        # Not ``set(keys) - known.keys()``: that walks every cached key (a set minus a dict view iterates
        # the view), so each look-up would slow down as the cache fills.
        missing = sorted({k for k in keys if k not in known})
        for chunk in chunks(missing, _POSTINGS_CHUNK):
            found: list[list[str]] = [[] for _ in chunk]
            params = [p for key in chunk for p in (key, MAX_KEY_POSTINGS + 1)]
            for i, article_id in fetch(self.conn, _bounded_postings(len(chunk)), params):
                found[i].append(article_id)
            for key, ids in zip(chunk, found, strict=True):
                ids += self.cache.unprojected_postings.get(key, ())
                known[key] = None if len(ids) > MAX_KEY_POSTINGS else ids
        return {k: known[k] for k in keys}

    def decisions(self, ids: Iterable[str]) -> dict[str, Placement]:
        """The projected decision of each report: (cluster as canonical JSON, outcome, review_with), all
        None for a report not decided or not stored."""
        known = self.cache.decisions
        wanted = set(ids)
        result = {i: known[i] for i in wanted if i in known}
        for article_id, cluster_json, outcome, review_with in fetch_in(
            self.conn, _DECISIONS, wanted - result.keys()
        ):
            result[article_id] = known[article_id] = (cluster_json, outcome, review_with)
        for article_id in wanted - result.keys():
            result[article_id] = known[article_id] = UNDECIDED
        return result

    def decided(self, events: Iterable[MatchDecided]) -> None:
        """Record decisions this pipeline has just projected (as ``apply_decision`` projects them)."""
        for e in events:
            self.cache.decisions[e.article_id] = placement(e.cluster, e.outcome, e.review_with)

    def indexed(self, article_id: str, keys: Iterable[str]) -> None:
        """Add a report this pipeline has just logged to the postings of its (index) ``keys``: the cached
        ones, and those read later until it is projected."""
        known = self.cache.postings
        for key in keys:
            if key not in known:
                self.cache.unprojected_postings.setdefault(key, []).append(article_id)
                continue
            ids = known[key]
            if ids is None:
                continue  # already too common
            ids.append(article_id)
            if len(ids) > MAX_KEY_POSTINGS:
                known[key] = None

    def constraints(self, ids: set[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Pairs a person said belong together (must) or apart (cannot), among or touching ``ids``."""
        known = self.cache.reviews
        unknown = [i for i in ids if i not in known]
        if unknown:
            naming = reviews_by_report(Projector(self.conn).reviews_naming(unknown))
            known.update((i, naming.get(i, [])) for i in unknown)
        touching = {r.position: r for i in ids for r in self.cache.reviews.get(i, ())}
        latest: dict[tuple[str, str], str] = {}  # the newest human word on a pair wins
        for _, review in sorted(touching.items()):
            pairs = {(min(a, b), max(a, b)) for a in review.article_ids for b in review.others if a != b}
            if review.action in ("merge", "confirm"):
                group = review.article_ids
                pairs |= {(a, b) for a in group for b in group if a < b}
                latest.update(dict.fromkeys(pairs, "must"))
            elif review.action == "split":
                latest.update(dict.fromkeys(pairs, "cannot"))
        must = sorted(p for p, kind in latest.items() if kind == "must")
        cannot = sorted(p for p, kind in latest.items() if kind == "cannot")
        return must, cannot


# Run on the driver's cursor (``fetch``): each article runs them several times, and SQLAlchemy's work for
# a statement costs several times what SQLite takes to run one of them.
_PROFILES = (
    "SELECT article_id, profile, EXISTS (SELECT 1 FROM review_reports AS k WHERE k.article_id = r.article_id) "
    "FROM reports AS r WHERE article_id IN ({})"
)
_DECISIONS = "SELECT article_id, cluster, outcome, review_with FROM reports WHERE article_id IN ({})"
_POSTINGS_CHUNK = 100  # keys per bounded-postings query (SQLite allows 500 terms in a compound SELECT)


@lru_cache(maxsize=_POSTINGS_CHUNK)
def _bounded_postings(n: int) -> str:
    """(i, report id) rows for the postings of ``n`` keys, at most a limit of each (parameters: each key
    followed by the limit): a key with a million postings costs no more than one just over the limit (an
    index range scan that stops there)."""
    terms = [
        f"SELECT * FROM (SELECT {i} AS i, article_id FROM match_keys WHERE key = ? LIMIT ?) AS t{i}"
        for i in range(n)
    ]
    return " UNION ALL ".join(terms)
