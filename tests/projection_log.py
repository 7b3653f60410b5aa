"""A recorded event log that exercises every fold, and the digests of the projections it gives.

``tests/fixtures/projection_log.jsonl`` is a log written once by this module, through the real pipeline,
review and feed code, from the invented demo corpus (``examples/corpus``): articles, a revision,
extractions, match decisions, every kind of review decision, feeds added, polled and removed. It is
stored raw (positions, hashes, times), so replaying it does not depend on today's extractor or matcher:
only on the folds. ``tests/fixtures/projection_digests.json`` holds the digest of each projection table
it replays to, with the fold versions that built them (``store.projections.VERSION``,
``store.feeds.VERSION``).

``tests/test_projection_version.py`` replays the log and compares: if the rows changed and the versions
did not, a database built by the previous code would silently keep the old rows. When a change to a fold
is meant, bump the version and record the digests again:

    .venv/bin/python -m tests.projection_log --digests

``--log`` records the log itself again (only when a new kind of event or decision needs covering; the
digests must then be recorded too).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

from store import feeds, projections
from store.events import canonical_json
from store.schema import EventRow

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOG = FIXTURES / "projection_log.jsonl"
DIGESTS = FIXTURES / "projection_digests.json"
CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
_COLUMNS = tuple(c.name for c in EventRow.__table__.columns)


def versions() -> dict[str, str]:
    return {projections.NAME: projections.VERSION, feeds.NAME: feeds.VERSION}


def load_log(engine: Engine) -> int:
    """Insert the recorded events, exactly as stored, into an empty log. Returns how many."""
    rows = [json.loads(line) for line in LOG.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        row["recorded_at"] = datetime.fromisoformat(row["recorded_at"])
    with engine.begin() as conn:
        conn.execute(insert(EventRow), rows)
    return len(rows)


def table_digests(snapshot: dict[str, list[tuple[Any, ...]]]) -> dict[str, str]:
    """One SHA-256 per table over its rows' ``repr`` (ints, strings, floats, None: stable across runs)."""
    return {
        table: hashlib.sha256("\n".join(repr(row) for row in rows).encode()).hexdigest()
        for table, rows in sorted(snapshot.items())
    }


def _record_log(engine: Engine) -> None:
    """Write a log through the real code paths (run once: the log is then what is stored, times and all)."""
    from ingest.sources import iter_articles
    from jobs.pipeline import Pipeline
    from jobs.review import review
    from store.feedevents import FeedPolled
    from store.feeds import add_feed, append_feed_events, remove_feed
    from store.queries import list_meetings, meeting_reports

    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        shutil.copytree(CORPUS, corpus)
        (corpus / "README.md").unlink()
        pipeline = Pipeline(engine)
        pipeline.ingest(iter_articles([str(corpus)]))
        wire = next(corpus.glob("nwa-2023-*.txt"))
        wire.write_text(
            wire.read_text(encoding="utf-8") + "\nCorrection: an earlier version misspelt a name.\n"
        )
        pipeline.ingest(iter_articles([str(wire)]))  # a revision

    with engine.connect() as conn:
        meetings = list_meetings(conn)
    by_size = sorted(meetings, key=lambda m: (-m["reports"], m["id"]))
    largest, second = by_size[0]["id"], by_size[1]["id"]
    singles = [m["id"] for m in meetings if m["reports"] == 1]
    with engine.connect() as conn:
        some_report = meeting_reports(conn, largest)[-1]["article_id"]
    review(engine, "confirm", second, actor="ann", reason="same call, checked against the ministry")
    review(
        engine,
        "correct",
        second,
        actor="ann",
        reason="the wire names the city",
        field_name="place",
        value="Orva",
    )
    review(
        engine,
        "correct",
        largest,
        actor="bob",
        reason="dated by the courier",
        field_name="date",
        value="2023-03-14",
    )
    split = review(engine, "split", largest, actor="bob", reason="a different visit", report=some_report)
    if len(singles) >= 2:
        review(engine, "merge", singles[0], actor="cy", reason="one event", other_meeting=singles[1])
    with engine.connect() as conn:
        after_split = next(m for m in list_meetings(conn) if m["id"] == split.meeting)
    review(
        engine,
        "remove",
        after_split["id"],
        actor="cy",
        reason="named in the background paragraph only",
        field_name="participant",
        value=after_split["participants"][-1],
    )

    with engine.begin() as conn:
        kept = add_feed(conn, "https://news.example/feed.xml", name="News", actor="ann")
        gone = add_feed(conn, "https://wire.example/rss", every_seconds=3600, actor="ann")
        for streak, outcome in enumerate(("ok", "error", "error", "not-modified")):
            append_feed_events(
                conn,
                kept.feed_id,
                [
                    FeedPolled(
                        feed_id=kept.feed_id,
                        url=kept.url,
                        started_at=f"2025-01-06T1{streak}:00:00+00:00",
                        finished_at=f"2025-01-06T1{streak}:00:02+00:00",
                        http_status=None if outcome == "error" else 200 if outcome == "ok" else 304,
                        outcome=outcome,
                        error="connection refused" if outcome == "error" else None,
                        new=3 if outcome == "ok" else 0,
                        revised=0,
                        duplicate=1 if outcome == "ok" else 0,
                        failed=0,
                        etag='"v1"' if outcome != "error" else None,
                        last_modified=None,
                        error_streak=streak if outcome == "error" else 0,
                        next_poll_at=f"2025-01-06T1{streak}:15:00+00:00",
                    )
                ],
            )
        remove_feed(conn, gone.feed_id, actor="ann", reason="duplicate of the news feed")

    with engine.connect() as conn:
        rows = conn.execute(select(EventRow).order_by(EventRow.position)).all()
    with LOG.open("w", encoding="utf-8") as out:
        for row in rows:
            record = {c: getattr(row, c) for c in _COLUMNS}
            record["recorded_at"] = row.recorded_at.isoformat()
            out.write(canonical_json(record) + "\n")


def _record_digests(engine: Engine) -> None:
    from store.projections import snapshot
    from store.rebuild import rebuild

    rebuild(engine)
    with engine.connect() as conn:
        digests = table_digests(snapshot(conn))
    DIGESTS.write_text(
        json.dumps({"versions": versions(), "tables": digests}, indent=2) + "\n", encoding="utf-8"
    )


def main() -> None:
    from store.db import open_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", action="store_true", help="record the log again (then the digests)")
    parser.add_argument("--digests", action="store_true", help="record the digests of the recorded log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        engine = open_database(f"sqlite:///{scratch}/record.db")
        try:
            if args.log:
                _record_log(engine)
            elif args.digests:
                load_log(engine)
            else:
                parser.error("say --log or --digests")
            _record_digests(engine)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
