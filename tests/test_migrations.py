"""Alembic owns the schema: the migrated database is exactly the models, and every step goes back and forth."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from store.db import alembic_config, make_engine, open_database
from store.schema import Base


def differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


def test_the_migrated_schema_is_the_models(engine: Engine) -> None:
    assert differences(engine) == []


def test_the_revisions_form_one_line(db_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(db_url))
    assert len(script.get_heads()) == 1
    assert len(list(script.walk_revisions())) >= 4


def test_every_migration_goes_down_to_nothing_and_up_again(db_url: str) -> None:
    open_database(db_url, auto_upgrade=True).dispose()
    engine = make_engine(db_url)
    try:
        config = alembic_config(db_url)
        for target, step in (("base", command.downgrade), ("head", command.upgrade)):
            with engine.begin() as conn:
                config.attributes["connection"] = conn  # else env.py opens $ACCORD_DB
                step(config, target)
            if target == "base":
                assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert differences(engine) == []
        assert "ix_meetings_status_date" in {i["name"] for i in inspect(engine).get_indexes("meetings")}
    finally:
        engine.dispose()


def test_the_reviews_already_projected_are_indexed_by_report_on_upgrade(db_url: str) -> None:
    """0005 fills ``review_reports`` from the reviews a database already holds: each report a review
    names (in ``article_ids`` or ``others``), once."""
    engine = make_engine(db_url)
    try:
        config = alembic_config(db_url)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0004")
            conn.execute(
                text(
                    "INSERT INTO review_decisions (position, action, article_ids, others, actor, reason) "
                    "VALUES (7, 'merge', '[\"r1\",\"r2\"]', '[\"r3\",\"r1\"]', 'ann', 'same talks'), "
                    "(9, 'confirm', '[\"r4\"]', '[]', 'bob', 'checked')"
                )
            )
            command.upgrade(config, "head")
            rows = conn.execute(text("SELECT article_id, position FROM review_reports ORDER BY 1, 2")).all()
        assert [tuple(r) for r in rows] == [("r1", 7), ("r2", 7), ("r3", 7), ("r4", 9)]
    finally:
        engine.dispose()
