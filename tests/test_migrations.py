"""Alembic owns the schema: the migrated database is exactly the models, and every step goes back and forth."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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
