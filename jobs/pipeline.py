"""The flow, one article at a time: log it, extract, match, project — all in one transaction.

One transaction per article means nothing half-written reaches the log: an article whose extraction or
matching fails leaves no event at all, and the next article goes on. The append lock is taken first, so
the projections the matcher reads are exactly the log's state (see ``store.eventlog``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from accord.errors import AccordError, IngestError
from extract.report import EXTRACTOR_VERSION, extract_report
from ingest.article import Article
from matcher import (
    DEFAULT_CONFIG,
    MATCHER_VERSION,
    Candidate,
    Decision,
    MatcherConfig,
    ReportProfile,
    cluster,
    expand_component,
    profile_from_extraction,
    query_keys,
)
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
    canonical_json,
    utcnow,
)
from store.fold import Review
from store.projections import Projector
from store.schema import MatchKeyRow, ReportRow

# A blocking key shared by more reports than this is too common to discriminate (think "UN" in a UN
# feed): it is skipped for candidate look-ups, so a look-up never degrades into a scan.
MAX_KEY_POSTINGS = 2000


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
        self, engine: Engine, *, actor: str = "accord", config: MatcherConfig = DEFAULT_CONFIG
    ) -> None:
        self.engine = engine
        self.actor = actor
        self.config = config

    def ingest(
        self,
        items: Iterable[Article | IngestError],
        *,
        on_outcome: Callable[[Outcome], None] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Summary:
        """Run each item through the flow in its own transaction. ``metadata`` (e.g. the feed that
        delivered the items) is stored on every article event."""
        summary = Summary()
        for item in items:
            if isinstance(item, IngestError):
                outcome = Outcome(source=item.origin, status="failed", message=item.problem)
            else:
                try:
                    with self.engine.begin() as conn:
                        outcome = self.ingest_one(conn, item, metadata=metadata)
                except AccordError as e:
                    outcome = Outcome(source=item.source, status="failed", message=str(e))
            summary.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        return summary

    def ingest_one(
        self, conn: Connection, article: Article, *, metadata: dict[str, Any] | None = None
    ) -> Outcome:
        log = EventLog(conn)
        log.lock()
        projector = Projector(conn)
        projector.catch_up()

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
        meta = {**(metadata or {}), "actor": self.actor}
        [stored] = log.append(
            [NewEvent(stream_id=stream_id, event=received, metadata=meta, expected_version=version)]
        )

        extraction = extract_report(article.text, published=article.published, title=article.title)
        extracted = ReportExtracted(
            article_id=article_id,
            article_position=stored.position,
            extractor_version=EXTRACTOR_VERSION,
            extraction=extraction.to_dict(),
        )
        log.append(
            [NewEvent(stream_id=stream_id, event=extracted, metadata={**meta, "causation": stored.position})]
        )
        # The matcher gets the new report's profile straight from the extraction; the projections catch
        # up once, after the decisions (the report is not in the blocking index until then, and it
        # needs not be: its own look-ups find the others).
        seed = profile_from_extraction(article_id, extraction, article.text, article.title)
        self.match(conn, article_id, trigger=article_id, seed=seed)
        projector.catch_up()
        return Outcome(source=article.source, status="revised" if history else "new", article_id=article_id)

    # --- matching -----------------------------------------------------------------------------------

    def match(
        self,
        conn: Connection,
        article_id: str,
        *,
        trigger: str,
        only_changes: bool = False,
        seed: ReportProfile | None = None,
    ) -> list[MatchDecided]:
        """Re-cluster the candidate component around one report; log a decision for each changed report.

        ``seed`` is the report's profile when the projections do not hold it yet (a report being ingested).
        """
        reads = MatchReads(conn)
        seed = seed or reads.profiles([article_id])[article_id]
        component = expand_component(seed, reads.candidates, config=self.config)
        ids = {p.report_id for p in component}
        # Reports a person tied together belong to the component whatever their scores.
        while True:
            must, cannot = reads.constraints(ids)
            tied = {x for pair in must for x in pair} - ids
            if not tied:
                break
            component.extend(reads.profiles(tied).values())
            ids |= tied
        clustering = cluster(component, must_link=must, cannot_link=cannot, config=self.config)
        current = Projector(conn).load_states(ids)
        events = []
        for decision in clustering.decisions:
            state = current.get(decision.report_id)
            unchanged = (
                state is not None
                and state.cluster == canonical_json(sorted(decision.cluster))
                and state.outcome == decision.outcome
                and state.review_with == decision.review_with
            )
            if unchanged and (only_changes or decision.report_id != article_id):
                continue
            events.append(decided(decision, trigger))
        log = EventLog(conn)
        log.append(
            [
                NewEvent(
                    stream_id=article_stream(e.article_id),
                    event=e,
                    metadata={"actor": "matcher", "trigger": trigger},
                )
                for e in sorted(events, key=lambda e: e.article_id)
            ]
        )
        return events


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


class MatchReads:
    """The matcher's reads: profiles by id, candidates by blocking key (indexed), human constraints."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._reviews: list[Review] | None = None
        self._profiles: dict[str, ReportProfile] = {}  # one matcher run reads a profile once

    def profiles(self, ids: Iterable[str]) -> dict[str, ReportProfile]:
        wanted = set(ids)
        result = {i: self._profiles[i] for i in wanted if i in self._profiles}
        ids = sorted(wanted - set(result))
        for i in range(0, len(ids), 500):
            rows = self.conn.execute(
                select(ReportRow.article_id, ReportRow.profile).where(
                    ReportRow.article_id.in_(ids[i : i + 500])
                )
            )
            for article_id, profile in rows:
                if profile is not None:
                    result[article_id] = self._profiles[article_id] = ReportProfile.from_dict(
                        json.loads(profile)
                    )
        return result

    def candidates(self, profile: ReportProfile) -> list[ReportProfile]:
        keys = sorted(query_keys(profile))
        sizes: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            sizes.update(
                self.conn.execute(
                    select(MatchKeyRow.key, func.count())
                    .where(MatchKeyRow.key.in_(chunk))
                    .group_by(MatchKeyRow.key)
                ).all()
            )
        usable = sorted(k for k, n in sizes.items() if n <= MAX_KEY_POSTINGS)
        ids: set[str] = set()
        for i in range(0, len(usable), 500):
            ids.update(
                self.conn.execute(
                    select(MatchKeyRow.article_id).where(MatchKeyRow.key.in_(usable[i : i + 500])).distinct()
                ).scalars()
            )
        must, _ = self.constraints({profile.report_id})
        for a, b in must:
            ids.update((a, b))
        ids.discard(profile.report_id)
        return list(self.profiles(ids).values())

    def constraints(self, ids: set[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """Pairs a person said belong together (must) or apart (cannot), among or touching ``ids``."""
        if self._reviews is None:
            self._reviews = Projector(self.conn).reviews()
        latest: dict[tuple[str, str], str] = {}  # the newest human word on a pair wins
        for review in self._reviews:
            if not ids & {*review.article_ids, *review.others}:
                continue
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
