"""The system under test for ``evaluation``: the real pipeline into a fresh database.

``run_pipeline`` is the ``RunSystem`` adapter: it ingests a labelled corpus through the library (ingest →
extract → match → projections) into a throwaway SQLite database, or the database given, and reads the
grouping back from the meeting table. The corpus's gold labels never reach the pipeline.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import select

from evaluation.corpora import LabelledCorpus
from evaluation.harness import SystemResult
from ingest.article import Article
from jobs.pipeline import Outcome, Pipeline, decision_from_payload
from matcher.explain import explain
from store.db import open_database
from store.eventlog import EventLog
from store.queries import export_meetings
from store.schema import ReportRow


def _articles(corpus: LabelledCorpus) -> Iterator[Article]:
    for item in corpus.items:
        yield Article(
            source=item.source,
            origin=item.source,
            item_key=None,
            title=item.title or None,
            published=item.published,
            content_type="text/plain",
            raw=item.text,
            text=item.text,
        )


def run_pipeline(
    corpus: LabelledCorpus,
    *,
    db_url: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> SystemResult:
    """Ingest the corpus and return the meetings as clusters of item sources."""
    with tempfile.TemporaryDirectory(prefix="accord-eval-") as tmp:
        engine = open_database(db_url or f"sqlite:///{Path(tmp) / 'eval.db'}", auto_upgrade=True)
        try:
            Pipeline(engine, actor="eval").ingest(_articles(corpus), on_outcome=on_outcome)
            with engine.connect() as conn:
                clusters = [{r["source"] for r in m["reports"]} for m in export_meetings(conn)]
                rows = conn.execute(
                    select(ReportRow.source, ReportRow.outcome, ReportRow.decision_position)
                ).all()
                decisions = EventLog(conn).at([r.decision_position for r in rows if r.decision_position])
        finally:
            engine.dispose()
    explanations = {}
    for source, _, position in rows:
        event = decisions.get(position) if position else None
        if event is not None:
            explanations[source] = "; ".join(explain(decision_from_payload(json.loads(event.payload))))
    review = frozenset(source for source, outcome, _ in rows if outcome == "review")
    return SystemResult(clusters=clusters, review=review, explanations=explanations)
