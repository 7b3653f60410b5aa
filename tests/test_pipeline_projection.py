"""The live projection: what the pipeline hands the projector gives the rows a plain catch-up gives."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from bench.corpus import article
from evaluation.synthetic import generate
from ingest.sources import iter_articles
from jobs.pipeline import Pipeline
from jobs.review import review
from store.db import open_database
from store.projections import NAME, Projector, snapshot
from store.queries import audit
from store.schema import Checkpoint
from tests.meetings import meeting_with

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
COURIER = "lundmark-courier-2023-03-14.html"


def test_a_report_joining_a_corrected_meeting_keeps_the_correction(engine: Engine, tmp_path: Path) -> None:
    """A report joining a meeting after a person corrected it: the regrouping finds the correction by
    the reports it names (``review_reports``), so the regrouped meeting keeps it."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    Pipeline(engine).ingest(iter_articles([str(folder)]))
    meeting = meeting_with(engine, COURIER)
    review(
        engine,
        "correct",
        meeting["id"],
        field_name="place",
        value="Lundmark Harbour",
        actor="ana",
        reason="x",
    )

    # Another outlet's copy of the courier's report arrives and joins the meeting.
    shutil.copy(folder / COURIER, folder / "copy-of-courier.html")
    Pipeline(engine).ingest(iter_articles([str(folder / "copy-of-courier.html")]))
    after = meeting_with(engine, "copy-of-courier.html")
    assert after["id"] == meeting["id"]
    assert len(after["reports"]) == len(meeting["reports"]) + 1
    assert after["place"] == "Lundmark Harbour"
    with engine.connect() as conn:
        [place] = audit(conn, after["id"], field="place")
    assert place["rule"] == "human-correction"


def test_catching_up_again_from_the_start_rewrites_the_same_rows(engine: Engine) -> None:
    """A catch-up queues its deletes before its inserts, and runs them in that order, whichever way the
    inserts go (on PostgreSQL, a table's hundreds of keys go by COPY after the other statements)."""
    Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
    with engine.connect() as conn:
        live = snapshot(conn)
    assert len(live["match_keys"]) >= 100, "the keys of one catch-up should be enough to go by COPY"

    with engine.begin() as conn:
        conn.execute(update(Checkpoint).where(Checkpoint.name == NAME).values(position=0))
        projector = Projector(conn)
        folded = projector.catch_up()
        assert folded == projector.checkpoint()
        assert snapshot(conn) == live


def test_a_catch_up_from_a_checkpoint_that_moved_raises(engine: Engine) -> None:
    """The checkpoint moves only from where the catch-up started: one told the wrong place (or beaten
    by a concurrent catch-up) raises instead of folding events a second time."""
    Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
    with engine.connect() as conn:
        live = snapshot(conn)
        head = Projector(conn).checkpoint()
    with engine.begin() as conn, pytest.raises(RuntimeError, match=f"not at {head - 3}"):
        Projector(conn).catch_up(checkpoint=head - 3)
    with engine.begin() as conn:
        assert Projector(conn).catch_up(checkpoint=head) == 0
        assert snapshot(conn) == live


def _placements(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT cluster, outcome FROM reports ORDER BY article_id").all()
    return [(c, o) for c, o in rows]


def test_a_revision_inside_a_batch_is_matched_against_the_reports_logged_before_it(tmp_path: Path) -> None:
    """A batch is projected at its end; a revision empties the match cache, so the reports the batch
    logged before it must be projected first, or its matching would not see them."""
    reports = list(generate(60, seed=5))
    first, second = next((a, b) for i, a in enumerate(reports) for b in reports[i + 1 :] if a.gold == b.gold)
    more = first.text + " Talks will continue."
    stream = [article(first), article(second), replace(article(first), raw=more, text=more)]
    placements = []
    for name, batches in (("batched", [stream]), ("one-by-one", [[item] for item in stream])):
        engine = open_database(f"sqlite:///{tmp_path / name}.db")
        pipeline = Pipeline(engine)
        statuses = [o.status for batch in batches for o in pipeline.ingest(batch).outcomes]
        assert statuses == ["new", "new", "revised"]
        placements.append(_placements(engine))
        engine.dispose()
    batched, one_by_one = placements
    assert [outcome for _, outcome in one_by_one] == ["merged", "merged"], "the two should be one event"
    assert batched == one_by_one
