"""Appends through the driver: whole batches or nothing, many streams in one batch, big batches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, text

from accord.errors import ConcurrencyError
from store.eventlog import EventLog
from store.events import NewEvent, ReviewDecided


def event(n: int) -> ReviewDecided:
    return ReviewDecided(action="confirm", article_ids=[f"a{n}"], actor="tester", reason=f"reason {n}")


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM events")).scalar_one())


def test_a_batch_over_many_streams_gets_per_stream_versions_and_one_chain(engine: Engine) -> None:
    with engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id=f"s{i % 3}", event=event(i)) for i in range(7)])
    with engine.begin() as conn:
        stored = EventLog(conn).append(
            [
                NewEvent(stream_id="s1", event=event(8), expected_version=2),
                NewEvent(stream_id="s9", event=event(9)),
            ]
        )
    assert [(e.stream_id, e.stream_version, e.position) for e in stored] == [("s1", 3, 8), ("s9", 1, 9)]
    with engine.connect() as conn:
        log = EventLog(conn)
        assert [e.stream_version for e in log.stream("s0")] == [1, 2, 3]
        assert log.stream_versions(["s0", "s1", "s2", "s9", "nothing"]) == {
            "s0": 3,
            "s1": 3,
            "s2": 2,
            "s9": 1,
            "nothing": 0,
        }
        assert log.verify().ok
        assert [e.hash for e in log.read(after=7)] == [e.hash for e in stored]


def test_a_stale_version_late_in_a_batch_writes_nothing_of_it(engine: Engine) -> None:
    with engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id="s", event=event(0))])
    batch = [NewEvent(stream_id=f"n{i}", event=event(i)) for i in range(50)]
    batch.append(NewEvent(stream_id="s", event=event(99), expected_version=0))
    with pytest.raises(ConcurrencyError), engine.begin() as conn:
        EventLog(conn).append(batch)
    assert count(engine) == 1


@pytest.mark.parametrize("size", [1999, 2000, 2001, 4500])
def test_big_batches_are_written_whole_and_verify(engine: Engine, size: int) -> None:
    with engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id=f"s{i % 7}", event=event(i)) for i in range(size)])
    with engine.connect() as conn:
        log = EventLog(conn)
        assert [e.position for e in log.read(after=size - 2)] == [size - 1, size]
        assert log.verify().ok
    assert count(engine) == size


def test_a_violation_the_version_check_cannot_see_writes_nothing(engine: Engine) -> None:
    """A writer whose version check is blind: the unique index refuses, and the batch goes as a whole."""
    with engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id="s", event=event(0))])
    with engine.connect() as conn:
        blind = EventLog(conn)
        real_tail = blind._locked_tail

        def blind_tail(stream_ids: Iterable[str]) -> tuple[tuple[int, str], dict[str, int]]:
            head, versions = real_tail(stream_ids)
            return head, dict.fromkeys(versions, 0)

        blind._locked_tail = blind_tail  # type: ignore[method-assign]
        batch = [NewEvent(stream_id="other", event=event(1)), NewEvent(stream_id="s", event=event(2))]
        with pytest.raises(ConcurrencyError):
            blind.append(batch)
        if engine.dialect.name == "sqlite":
            conn.commit()  # SQLite: the failed statement undid itself, the transaction goes on
        else:
            conn.rollback()  # PostgreSQL: the transaction is aborted
    assert count(engine) == 1


def test_recorded_at_is_stored_in_utc_and_reads_back_equal(engine: Engine) -> None:
    when = datetime(2024, 3, 5, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id="s", event=event(0))], recorded_at=when.astimezone(UTC))
    with engine.connect() as conn:
        (stored,) = EventLog(conn).read()
    assert stored.recorded_at == when
    assert stored.recorded_at.tzinfo == UTC
    with pytest.raises(ValueError, match="naive"), engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id="s", event=event(1))], recorded_at=datetime(2024, 1, 1))


def test_an_aware_non_utc_time_is_hashed_as_stored_and_the_chain_verifies(engine: Engine) -> None:
    when = datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        [appended] = EventLog(conn).append([NewEvent(stream_id="s", event=event(0))], recorded_at=when)
    with engine.connect() as conn:
        log = EventLog(conn)
        (stored,) = log.read()
        assert log.verify().ok
    assert appended.recorded_at.tzinfo == UTC
    assert stored.recorded_at == when
    assert stored.hash == appended.hash == stored.expected_hash()


def test_versions_are_checked_for_every_stream_of_a_batch_of_many_streams(engine: Engine) -> None:
    streams = [f"s{i:04d}" for i in range(1200)]  # more than one look-up's worth of streams
    with engine.begin() as conn:
        EventLog(conn).append([NewEvent(stream_id=s, event=event(i)) for i, s in enumerate(streams)])
    stale = [NewEvent(stream_id=s, event=event(i), expected_version=1) for i, s in enumerate(streams)]
    stale[1100] = NewEvent(stream_id=streams[1100], event=event(1100), expected_version=0)
    with pytest.raises(ConcurrencyError), engine.begin() as conn:
        EventLog(conn).append(stale)
    with engine.begin() as conn:
        stored = EventLog(conn).append(
            [NewEvent(stream_id=s, event=event(i), expected_version=1) for i, s in enumerate(streams)]
        )
    assert {e.stream_version for e in stored} == {2}
    assert count(engine) == 2400
