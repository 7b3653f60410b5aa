"""The event log's guarantees, one contract suite run on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import random
import time

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from accord.errors import ConcurrencyError
from store.db import open_database
from store.eventlog import APPEND_LOCK_ID, EventLog
from store.events import NewEvent, ReviewDecided


def review(n: int) -> ReviewDecided:
    return ReviewDecided(action="confirm", article_ids=[f"a{n}"], actor="tester", reason=f"reason {n}")


def append(engine: Engine, stream: str, count: int, expected: int | None = None) -> None:
    with engine.begin() as conn:
        EventLog(conn).append(
            [NewEvent(stream_id=stream, event=review(i), expected_version=None) for i in range(count)]
            if expected is None
            else [NewEvent(stream_id=stream, event=review(0), expected_version=expected)]
        )


def test_append_and_read_round_trip(engine: Engine) -> None:
    append(engine, "s-1", 3)
    append(engine, "s-2", 2)
    with engine.connect() as conn:
        log = EventLog(conn)
        events = log.read()
        assert [e.position for e in events] == [1, 2, 3, 4, 5]
        assert [(e.stream_id, e.stream_version) for e in events] == [
            ("s-1", 1),
            ("s-1", 2),
            ("s-1", 3),
            ("s-2", 1),
            ("s-2", 2),
        ]
        assert events[0].domain() == review(0)
        assert events[0].recorded_at.tzinfo is not None
        assert [e.position for e in log.stream("s-2")] == [4, 5]
        assert [e.position for e in log.read(after=3)] == [4, 5]


def test_expected_version_mismatch_raises_concurrency_error_and_writes_nothing(engine: Engine) -> None:
    append(engine, "s", 2)
    with pytest.raises(ConcurrencyError, match="moved past version 1"):
        append(engine, "s", 1, expected=1)
    append(engine, "s", 1, expected=2)
    with engine.connect() as conn:
        assert [e.stream_version for e in EventLog(conn).stream("s")] == [1, 2, 3]


def test_database_refuses_duplicate_stream_version(engine: Engine) -> None:
    append(engine, "s", 1)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM events WHERE position = 1")).mappings().one()
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO events (position, stream_id, stream_version, type, schema_version, payload,"
                " metadata, recorded_at, prev_hash, hash) VALUES (99, :stream_id, 1, :type, 1, '{}', '{}',"
                " :recorded_at, :hash, :hash)"
            ),
            dict(row),
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = '{}' WHERE position = 1",
        "DELETE FROM events WHERE position = 1",
        "DELETE FROM events",
    ],
)
def test_database_refuses_update_and_delete(engine: Engine, statement: str) -> None:
    append(engine, "s", 2)
    with pytest.raises(DBAPIError, match="events are immutable"), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert len(EventLog(conn).read()) == 2


@pytest.mark.postgres
def test_postgres_refuses_truncate(pg_url: str) -> None:
    engine = open_database(pg_url, auto_upgrade=True)
    try:
        append(engine, "s", 1)
        with pytest.raises(DBAPIError, match="events are immutable"), engine.begin() as conn:
            conn.execute(text("TRUNCATE events"))
    finally:
        engine.dispose()


def _lock_is_free(other: Connection) -> bool:
    """Whether another session could take the append lock now (it lets go of it at once)."""
    free = bool(other.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": APPEND_LOCK_ID}).scalar())
    other.rollback()
    return free


def test_postgres_append_holds_the_lock_until_commit_even_after_a_savepoint_let_it_go(pg_url: str) -> None:
    """A lock taken in a savepoint that rolled back is gone (PostgreSQL releases it): append re-takes it."""
    engine = open_database(pg_url, auto_upgrade=True)
    try:
        with engine.connect() as other, engine.begin() as conn:
            log = EventLog(conn)
            savepoint = conn.begin_nested()
            log.lock()
            assert not _lock_is_free(other)
            assert EventLog(conn)._holds_lock()  # any log on this connection knows: no second round trip
            savepoint.rollback()
            assert _lock_is_free(other)
            assert not EventLog(conn)._holds_lock()
            log.append([NewEvent(stream_id="s", event=review(0))])
            assert not _lock_is_free(other)
            log.lock()  # already held in this transaction: nothing to do, and still held
            assert not _lock_is_free(other)
        with engine.connect() as other:
            assert _lock_is_free(other)
    finally:
        engine.dispose()


def _tamper(engine: Engine, position: int) -> None:
    """Change a payload behind the triggers' back, as an attacker with DDL rights could."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_refuse_change"))
            conn.execute(
                text(
                    "UPDATE events SET payload = replace(payload, 'reason 1', 'reason X') WHERE position = :p"
                ),
                {"p": position},
            )
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_refuse_change"))
        else:
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'events_refuse_update'")
            ).scalar_one()
            conn.execute(text("DROP TRIGGER events_refuse_update"))
            conn.execute(
                text(
                    "UPDATE events SET payload = replace(payload, 'reason 1', 'reason X') WHERE position = :p"
                ),
                {"p": position},
            )
            conn.execute(text(sql))


def test_verify_passes_on_an_untouched_log(engine: Engine) -> None:
    append(engine, "s", 5)
    with engine.connect() as conn:
        result = EventLog(conn).verify()
    assert result.ok
    assert result.checked == 5


def test_verify_names_the_first_tampered_position(engine: Engine) -> None:
    append(engine, "s", 5)
    _tamper(engine, 2)
    with engine.connect() as conn:
        payload = json.loads(conn.execute(text("SELECT payload FROM events WHERE position = 2")).scalar_one())
        result = EventLog(conn).verify()
    assert payload["reason"] == "reason X"
    assert not result.ok
    assert result.first_bad == 2
    assert result.reason == "content does not match its hash"


def _writer(url: str, writer: int, count: int) -> None:
    engine = open_database(url)
    rng = random.Random(writer)
    for i in range(count):
        with engine.begin() as conn:
            EventLog(conn).append([NewEvent(stream_id=f"w{writer}-{i % 3}", event=review(i))])
            time.sleep(rng.random() * 0.003)  # hold the transaction open a little: commits interleave
    engine.dispose()


def test_tailing_reader_sees_every_event_exactly_once(db_url: str) -> None:
    """Several writer processes append while a reader tails ``position > checkpoint``."""
    writers, per_writer = 4, 60
    engine = open_database(db_url, auto_upgrade=True)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(db_url, w, per_writer)) for w in range(writers)]
    for p in processes:
        p.start()
    seen: list[int] = []
    checkpoint = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            alive = any(p.is_alive() for p in processes)
            with engine.connect() as conn:
                events = EventLog(conn).read(after=checkpoint, limit=50)
            for e in events:
                seen.append(e.position)
                checkpoint = e.position
            if not events and not alive:
                break
    finally:
        for p in processes:
            p.join(timeout=30)
        engine.dispose()
    assert all(p.exitcode == 0 for p in processes)
    total = writers * per_writer
    assert seen == list(range(1, total + 1))
