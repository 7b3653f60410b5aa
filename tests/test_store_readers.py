"""Readers (pages, listings, exports) do not take SQLite's write lock, so an ingest never holds them up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from store import db
from store.eventlog import EventLog
from store.events import NewEvent, ReviewDecided


def test_a_reader_reads_a_snapshot_while_a_writer_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)  # a blocked transaction gives up quickly
    engine = db.open_database(f"sqlite:///{tmp_path / 'accord.db'}")
    decided = ReviewDecided(action="confirm", article_ids=["a"], actor="ana", reason="checked")
    try:
        with engine.begin() as writer:
            EventLog(writer).append([NewEvent(stream_id="s", event=decided)])  # holds the write lock
            with db.reader(engine).connect() as conn:
                # the snapshot from before the uncommitted append
                assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
            with pytest.raises(OperationalError, match="locked"), engine.connect() as other:
                other.execute(text("SELECT 1"))  # a writing transaction waits for the lock, then gives up
        with db.reader(engine).connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 1
    finally:
        engine.dispose()


def test_opening_the_database_does_not_wait_for_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read command (``accord meetings``) opens the database while an ingest holds the write lock."""
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    engine = db.open_database(url)
    decided = ReviewDecided(action="confirm", article_ids=["a"], actor="ana", reason="checked")
    try:
        with engine.begin() as writer:
            EventLog(writer).append([NewEvent(stream_id="s", event=decided)])  # holds the write lock
            second = db.open_database(url)  # checks the schema's revision: must not need the lock
            with db.reader(second).connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
            second.dispose()
    finally:
        engine.dispose()
