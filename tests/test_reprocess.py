"""A newer extractor appends new extraction events; the old ones stay, and the projections follow."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

import extract.report
import jobs.reprocess
from ingest.sources import iter_articles
from jobs.pipeline import Pipeline
from jobs.reprocess import reextract
from store.eventlog import EventLog
from store.schema import FactSourceRow, ReportRow

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def test_reextract_appends_and_never_edits(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
    with engine.connect() as conn:
        before = EventLog(conn).read(types=["ReportExtracted"])
    assert reextract(engine) == 0  # same extractor: nothing to do

    original = extract.report.extract_report

    def newer(text: str, **kwargs: object):  # type: ignore[no-untyped-def]
        result = original(text, **kwargs)  # type: ignore[arg-type]
        return type(result)(
            extractor_version="extract-test-2",
            date_from=result.date_from,
            date_to=result.date_to,
            facts=tuple(f for f in result.facts if f.field != "topic"),
            body=result.body,
        )

    monkeypatch.setattr(jobs.reprocess, "EXTRACTOR_VERSION", "extract-test-2")
    monkeypatch.setattr(jobs.reprocess, "extract_report", newer)
    changed = reextract(engine)

    with engine.connect() as conn:
        after = EventLog(conn).read(types=["ReportExtracted"])
        versions = set(conn.execute(select(ReportRow.extractor_version)).scalars())
        topics = conn.execute(select(FactSourceRow).where(FactSourceRow.field == "topic")).all()
    assert changed > 0
    assert after[: len(before)] == before  # the old events are untouched
    assert len(after) == len(before) + changed
    assert versions == {"extract-test-2"}
    assert topics == []
