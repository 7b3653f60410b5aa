"""Re-run a newer extractor over the stored articles. The old ``ReportExtracted`` events stay; new ones
are appended, and the matcher decides again around every report whose facts changed."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from extract.report import EXTRACTOR_VERSION, extract_report
from jobs.pipeline import Pipeline
from matcher import profile_from_extraction
from store.eventlog import EventLog
from store.events import NewEvent, ReportExtracted, article_stream, canonical_json
from store.projections import Projector
from store.schema import ReportRow


def reextract(engine: Engine, *, actor: str = "accord") -> int:
    """Extract again every report whose latest extraction came from another extractor version.

    One transaction per report, like ingest. Returns how many reports got a new extraction.
    """
    with engine.connect() as conn:
        stale = (
            conn.execute(
                select(ReportRow.article_id).where(
                    (ReportRow.extractor_version != EXTRACTOR_VERSION) | ReportRow.extractor_version.is_(None)
                )
            )
            .scalars()
            .all()
        )
    pipeline = Pipeline(engine, actor=actor)
    done = 0
    for article_id in sorted(stale):
        with engine.begin() as conn:
            log = EventLog(conn)
            log.lock()
            projector = Projector(conn)
            projector.catch_up()
            state = projector.load_states([article_id])[article_id]
            if state.extractor_version == EXTRACTOR_VERSION:
                continue
            article = json.loads(log.at([state.article_position])[state.article_position].payload)
            extraction = extract_report(
                article["text"], published=article["published"], title=article["title"]
            )
            if state.extraction == canonical_json(extraction.to_dict()):
                continue  # same facts: nothing to record
            event = ReportExtracted(
                article_id=article_id,
                article_position=state.article_position,
                extractor_version=EXTRACTOR_VERSION,
                extraction=extraction.to_dict(),
            )
            meta = {"actor": actor, "causation": state.article_position}
            log.append([NewEvent(stream_id=article_stream(article_id), event=event, metadata=meta)])
            seed = profile_from_extraction(article_id, extraction, article["text"], article["title"])
            pipeline.match(conn, article_id, trigger=f"reextract:{EXTRACTOR_VERSION}", seed=seed)
            projector.catch_up()
            done += 1
    return done
