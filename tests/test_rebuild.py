"""Rebuild: a bulk replay leaves the schema as the migrations made it, and the same rows as ingest did."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, select, text

from ingest.sources import iter_articles
from jobs.pipeline import Pipeline
from store import projections
from store.db import alembic_config, make_engine, open_database
from store.fanout import IN_FLIGHT, Fanout, default_workers, worker_pool
from store.projections import Projector, snapshot
from store.rebuild import rebuild
from store.schema import PROJECTION_TABLES, MatchKeyRow

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _indexes(engine: Engine) -> dict[str, list[tuple[str, tuple[str, ...], bool]]]:
    with engine.connect() as conn:
        found = inspect(conn)
        return {
            table.__tablename__: sorted(
                (str(i["name"]), tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table.__tablename__)
            )
            for table in PROJECTION_TABLES
        }


def test_rebuild_keeps_every_index_and_every_row(engine: Engine) -> None:
    Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
    indexes = _indexes(engine)
    assert "ix_match_keys_article" in {name for name, _, _ in indexes["match_keys"]}
    with engine.connect() as conn:
        live = snapshot(conn)
    assert live["match_keys"], "the corpus should give blocking keys"

    checked = rebuild(engine, check=True)  # replays, compares, rolls back
    assert checked.identical, checked.differences
    assert _indexes(engine) == indexes

    rebuilt = rebuild(engine)  # replays and commits
    assert rebuilt.identical
    assert _indexes(engine) == indexes
    with engine.connect() as conn:
        assert snapshot(conn) == live
        # the rebuilt article index answers look-ups by article
        some = live["match_keys"][0][1]
        by_article = conn.execute(select(MatchKeyRow.key).where(MatchKeyRow.article_id == some)).scalars()
        assert sorted(by_article) == sorted(k for k, a in live["match_keys"] if a == some)


def test_bulk_loads_sorted_by_sqlite_give_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large replays let SQLite order the rows (a temporary table, then INSERT ... ORDER BY): same rows."""
    engine = open_database(f"sqlite:///{tmp_path / 'sorted.db'}", auto_upgrade=True)
    try:
        Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
        monkeypatch.setattr(projections, "_SORT_IN_SQLITE_FROM", 1)
        staged: list[str] = []
        real = projections._Writes._sorted_by_sqlite

        def spy(self: projections._Writes, table: Any, *args: Any) -> None:
            staged.append(table.__tablename__)
            real(self, table, *args)

        monkeypatch.setattr(projections._Writes, "_sorted_by_sqlite", spy)
        checked = rebuild(engine, check=True)
        assert checked.identical, checked.differences
        assert "match_keys" in staged
        assert "reports" in staged
        with engine.connect() as conn:  # the staging table went with the transaction
            assert not conn.exec_driver_sql("SELECT name FROM sqlite_temp_master").all()
    finally:
        engine.dispose()


def test_match_keys_migration_keeps_rows_both_ways(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'accord.db'}"
    open_database(url, auto_upgrade=True).dispose()
    engine = make_engine(url)
    rows = [("p:a|2020-W01", "x1"), ("p:a|any", "x1"), ("p:a|2020-W01", "x2")]

    def table_sql() -> str:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'match_keys'")).scalar())

    def stored() -> list[tuple[str, str]]:
        with engine.connect() as conn:
            result = conn.execute(
                select(MatchKeyRow.key, MatchKeyRow.article_id).order_by("key", "article_id")
            )
            return [(k, a) for k, a in result]

    with engine.begin() as conn:
        conn.execute(MatchKeyRow.__table__.insert(), [{"key": k, "article_id": a} for k, a in rows])
    assert "WITHOUT ROWID" in table_sql()

    def migrate(step: Callable[[Config, str], None], target: str) -> None:
        config = alembic_config(url)
        with engine.begin() as conn:
            config.attributes["connection"] = conn  # else env.py opens $ACCORD_DB
            step(config, target)

    migrate(command.downgrade, "0002")
    assert "WITHOUT ROWID" not in table_sql()
    assert stored() == sorted(rows)
    migrate(command.upgrade, "head")
    assert "WITHOUT ROWID" in table_sql()
    assert stored() == sorted(rows)
    assert "ix_match_keys_article" in {i["name"] for i in inspect(engine).get_indexes("match_keys")}
    engine.dispose()


@pytest.mark.parametrize("workers", [0, 1, 2])
def test_replay_in_worker_processes_gives_the_same_rows(engine: Engine, workers: int) -> None:
    Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
    with engine.connect() as conn:
        live = snapshot(conn)
    with engine.connect() as conn, conn.begin() as tx:
        projector = Projector(conn)
        projector.reset()
        events = projector.replay(workers=workers)
        replayed = snapshot(conn)
        tx.rollback()
    assert events > 0
    # the meeting projection's tables (the feeds table is another projector's)
    assert {t: rows for t, rows in replayed.items() if t != "feeds"} == {
        t: rows for t, rows in live.items() if t != "feeds"
    }
    assert replayed["meetings"]
    assert replayed["fact_sources"]


def test_fanout_keeps_the_order_of_the_items() -> None:
    items = list(range(1000))
    with worker_pool(2) as pool:
        fanout: Fanout[int, str] = Fanout(_spell, pool, chunk=7)
        for i in items:
            fanout.add(i)
        assert fanout.results() == [str(i) for i in items]
    serial: Fanout[int, str] = Fanout(_spell, None, chunk=7)
    for i in items[:20]:
        serial.add(i)
    assert serial.results() == [str(i) for i in items[:20]]


def _spell(items: list[int]) -> list[str]:
    return [str(i) for i in items]


class _HeldPool(Executor):
    """Workers that have not got round to anything: each chunk's future stays pending until ``finish``."""

    def __init__(self) -> None:
        self.sent: list[tuple[Future[list[str]], list[int]]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[list[str]]:
        future: Future[list[str]] = Future()
        self.sent.append((future, args[0]))
        return future

    def finish(self, count: int) -> None:
        for future, items in self.sent[:count]:
            future.set_running_or_notify_cancel()
            future.set_result(_spell(items))


def test_fanout_runs_chunks_itself_when_the_workers_are_behind() -> None:
    items = list(range(100))
    pool = _HeldPool()
    fanout: Fanout[int, str] = Fanout(_spell, pool, chunk=5)
    for i in items:
        fanout.add(i)
    # The first IN_FLIGHT chunks went to the workers; the rest ran here, none waiting on a worker.
    assert [chunk for _, chunk in pool.sent] == [items[i : i + 5] for i in range(0, 5 * IN_FLIGHT, 5)]
    # A worker finishes the first two chunks; the ones not started are taken back and run here.
    pool.finish(2)
    assert fanout.results() == [str(i) for i in items]
    assert [f.cancelled() for f, _ in pool.sent] == [False, False] + [True] * (IN_FLIGHT - 2)


def test_fanout_waits_for_a_chunk_a_worker_has_started() -> None:
    """A chunk already running cannot be taken back: ``results`` waits for it, and keeps the order."""
    pool = _HeldPool()
    fanout: Fanout[int, str] = Fanout(_spell, pool, chunk=5)
    for i in range(5 * IN_FLIGHT):
        fanout.add(i)
    running, items = pool.sent[3]
    assert running.set_running_or_notify_cancel()
    finish = threading.Timer(0.05, lambda: running.set_result(_spell(items)))
    finish.start()
    try:
        assert fanout.results() == [str(i) for i in range(5 * IN_FLIGHT)]
    finally:
        finish.join()
    # The running chunk was waited for; every other one was taken back and run here.
    assert [f.cancelled() for f, _ in pool.sent] == [True] * 3 + [False] + [True] * (IN_FLIGHT - 4)


def _spell_but_seven(items: list[int]) -> list[str]:
    if 7 in items:
        raise ValueError("seven")
    return _spell(items)


@pytest.mark.parametrize("where", ["worker", "here"])
def test_a_failing_chunk_fails_the_fanout(where: str) -> None:
    """An error in a chunk reaches the caller, whether a worker or the caller ran it."""
    pool = _HeldPool()
    fanout: Fanout[int, str] = Fanout(_spell_but_seven, pool, chunk=5)
    if where == "here":
        for i in range(5 * IN_FLIGHT):
            fanout.add(i + 100)  # the workers' chunks, none of them failing
        for i in range(9):
            fanout.add(i)
        with pytest.raises(ValueError, match="seven"):
            fanout.add(9)  # completes the chunk holding 7, which runs here: the workers are all busy
        return
    for i in range(10):
        fanout.add(i)
    future, _ = pool.sent[1]
    future.set_running_or_notify_cancel()
    future.set_exception(ValueError("seven"))
    pool.finish(1)
    with pytest.raises(ValueError, match="seven"):
        fanout.results()


def test_an_unbounded_fanout_sends_every_chunk_to_the_workers() -> None:
    pool = _HeldPool()
    fanout: Fanout[int, str] = Fanout(_spell, pool, chunk=5, bounded=False)
    for i in range(100):
        fanout.add(i)
    assert len(pool.sent) == 20
    pool.finish(20)
    assert fanout.results() == [str(i) for i in range(100)]


def test_replay_workers_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_REPLAY_WORKERS", "0")
    assert default_workers() == 0
    monkeypatch.setenv("ACCORD_REPLAY_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.delenv("ACCORD_REPLAY_WORKERS")
    assert default_workers() >= 0
    # Unset: one worker per core beyond the caller's own, none on a single core.
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3}, raising=False)
    assert default_workers() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert default_workers() == 0


def test_a_check_names_the_table_and_a_row_that_differ(engine: Engine) -> None:
    Pipeline(engine).ingest(iter_articles([str(CORPUS)]))
    with engine.begin() as conn:
        meeting_id = conn.execute(
            text("SELECT meeting_id FROM meetings ORDER BY meeting_id LIMIT 1")
        ).scalar_one()
        # what projections written by an older fold look like: a status today's rules would not give
        conn.execute(text("UPDATE meetings SET status = 'stale' WHERE meeting_id = :m"), {"m": meeting_id})
    checked = rebuild(engine, check=True)
    assert not checked.identical
    [line] = checked.differences
    assert line.startswith("meetings: ")
    assert repr(meeting_id) in line
    assert rebuild(engine).identical
    assert rebuild(engine, check=True).identical
