"""Projections record the version of the fold that built them; rows another version built are not folded
onto, and a change to the rows a log projects to comes with a new version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from accord.errors import ProjectionsOutdatedError
from ingest.sources import iter_articles
from jobs.pipeline import Pipeline
from jobs.review import review
from store import feeds, projections
from store.db import alembic_config, make_engine
from store.eventlog import EventLog
from store.feeds import add_feed
from store.projections import snapshot
from store.queries import list_meetings
from store.rebuild import outdated, rebuild
from tests.projection_log import DIGESTS, load_log, table_digests, versions

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
RECORD = "record them again: .venv/bin/python -m tests.projection_log --digests"


def _built_by(engine: Engine, name: str, version: str | None) -> None:
    """Pretend another fold version built projection ``name`` (its checkpoint says so)."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE projection_checkpoints SET version = :v WHERE name = :n"), {"v": version, "n": name}
        )


def test_the_recorded_log_projects_to_the_recorded_rows(engine: Engine) -> None:
    """If this fails, the same log now gives other rows: a database built by the previous code keeps the
    old ones unless the fold's version changes, so bump ``VERSION`` in store/projections.py (or
    store/feeds.py for the feeds table), then record the digests again."""
    recorded = json.loads(DIGESTS.read_text(encoding="utf-8"))
    assert recorded["versions"] == versions(), (
        f"the fold versions changed since the digests were recorded: {RECORD}"
    )
    events = load_log(engine)
    with engine.connect() as conn:
        assert EventLog(conn).verify().ok  # the fixture is the log as written, not edited by hand
    assert rebuild(engine).events == events
    with engine.connect() as conn:
        digests = table_digests(snapshot(conn))
    changed = sorted(t for t in digests if digests[t] != recorded["tables"].get(t))
    assert not changed, (
        f"the recorded log projects to other rows in {changed}: bump the fold's VERSION and {RECORD}"
    )


def test_catching_up_event_by_event_gives_the_replays_rows_for_the_recorded_log(engine: Engine) -> None:
    load_log(engine)
    checked = rebuild(engine, check=True)  # catches the live tables up, then compares with a replay
    assert checked.identical, checked.differences


def test_a_fresh_database_and_a_rebuilt_one_carry_this_codes_versions(engine: Engine) -> None:
    with engine.connect() as conn:
        assert outdated(conn) == []  # nothing projected yet: no version to disagree with
    load_log(engine)
    rebuild(engine)
    with engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT name, version FROM projection_checkpoints")).all())
        assert rows == versions()
        assert outdated(conn) == []


@pytest.mark.parametrize("built_by", ["meetings-0", None])
def test_nothing_is_folded_onto_meetings_another_fold_built_until_a_rebuild(
    engine: Engine, built_by: str | None
) -> None:
    """``None`` is a database projected before versions were kept (migration 0006 leaves it so)."""
    Pipeline(engine).ingest(iter_articles([str(CORPUS / "mfa-veloria-news.xml")]))
    _built_by(engine, projections.NAME, built_by)
    with engine.connect() as conn:
        before, head = snapshot(conn), EventLog(conn).head()
        [problem] = outdated(conn)
        meeting = list_meetings(conn)[0]["id"]
    assert (problem.name, problem.built_by, problem.current) == (
        projections.NAME,
        built_by,
        projections.VERSION,
    )
    assert "accord rebuild" in str(problem)

    with pytest.raises(ProjectionsOutdatedError):
        Pipeline(engine).ingest(iter_articles([str(CORPUS / "nwa-2024-03-07-castellan-haldane.txt")]))
    with pytest.raises(ProjectionsOutdatedError):
        review(engine, "confirm", meeting, actor="ann", reason="checked")
    checked = rebuild(engine, check=True)
    assert checked.differences == [str(problem)]
    with engine.connect() as conn:
        assert (snapshot(conn), EventLog(conn).head()) == (before, head)  # the refusals wrote nothing

    rebuild(engine)
    with engine.connect() as conn:
        assert outdated(conn) == []
    outcomes = Pipeline(engine).ingest(iter_articles([str(CORPUS / "nwa-2024-03-07-castellan-haldane.txt")]))
    assert [o.status for o in outcomes.outcomes] == ["new"]
    assert rebuild(engine, check=True).identical


def test_no_feed_event_is_folded_onto_a_feeds_table_another_fold_built(engine: Engine) -> None:
    with engine.begin() as conn:
        add_feed(conn, "https://news.example/feed.xml")
    _built_by(engine, feeds.NAME, "feeds-0")
    with (
        engine.begin() as conn,
        pytest.raises(ProjectionsOutdatedError, match="feeds tables were built by fold feeds-0"),
    ):
        add_feed(conn, "https://wire.example/rss")
    with engine.connect() as conn:
        assert [e.name for e in outdated(conn)] == [feeds.NAME]
    rebuild(engine)
    with engine.begin() as conn:
        add_feed(conn, "https://wire.example/rss")


def test_upgrading_a_projected_database_asks_for_a_rebuild(db_url: str) -> None:
    """0006 cannot know which code built the rows already there: they get no version."""
    engine = make_engine(db_url)
    try:
        config = alembic_config(db_url)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            conn.execute(text("INSERT INTO projection_checkpoints (name, position) VALUES ('meetings', 3)"))
            command.upgrade(config, "head")
        with engine.connect() as conn:
            assert [(e.name, e.built_by) for e in outdated(conn)] == [(projections.NAME, None)]
    finally:
        engine.dispose()
