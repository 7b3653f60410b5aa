"""Fixtures: one database fixture per backend, and a throwaway PostgreSQL database per test.

PostgreSQL tests run against ACCORD_TEST_PG_URL (default: the local server's ``test`` database, used
only to create and drop throwaway databases). Where the server is unreachable they are skipped, unless
ACCORD_REQUIRE_PG=1 (as in .ci/run), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from store.db import open_database
from store.rebuild import rebuild

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def pg_admin_url() -> str:
    return os.environ.get("ACCORD_TEST_PG_URL", DEFAULT_PG)


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(pg_admin_url())
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except SQLAlchemyError as e:
        return f"{type(e).__name__}: {e}".splitlines()[0]
    return None


@pytest.fixture(scope="session")
def pg_server() -> str:
    problem = _pg_reachable()
    if problem:
        message = f"PostgreSQL at {pg_admin_url()} is unreachable ({problem})"
        if os.environ.get("ACCORD_REQUIRE_PG") == "1":
            pytest.fail(message + "; ACCORD_REQUIRE_PG=1 makes this a failure")
        pytest.skip(message)
    return pg_admin_url()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'accord.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database; the test fails if it leaves connections checked out."""
    eng = open_database(db_url, auto_upgrade=True)
    yield eng
    leaked = eng.pool.checkedout()  # type: ignore[attr-defined]
    # Every scenario ends with the projections equal to a replay of its log.
    replay = rebuild(eng, check=True)
    eng.dispose()
    assert leaked == 0, f"{leaked} database connections were left checked out"
    assert replay.identical, f"rebuild --check after the test: {replay.differences}"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"sample reports not found at {SEEDS}")
    return SEEDS
