"""Opening a database: engines, SQLite settings, and the schema's version (Alembic owns the schema)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, String, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from accord.errors import AccordError, SchemaBehindError

DEFAULT_URL = "sqlite:///accord.db"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


READ_ONLY = "accord_read_only"  # execution option set by ``reader``


def database_url(explicit: str | None = None) -> str:
    """The URL to use: the explicit one, else ``ACCORD_DB``, else ``accord.db`` in the working directory."""
    return explicit or os.environ.get("ACCORD_DB") or DEFAULT_URL


def make_engine(url: str) -> Engine:
    """An engine with Accord's settings. SQLite: WAL, a busy timeout, and every transaction BEGIN IMMEDIATE.

    BEGIN IMMEDIATE takes SQLite's write lock at the start of a transaction, so an append reads the tail
    of the log and writes after it without another writer slipping in between (appends are serialised).
    """
    try:
        parsed = make_url(url)
    except Exception as e:
        raise AccordError(f"not a database URL: {url!r} (e.g. sqlite:///accord.db)") from e
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise AccordError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://"
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
        dbapi_connection.create_function("accord_lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A reader (see ``reader``) takes no write lock: in WAL mode it reads a snapshot and neither waits
        # for an ingest nor holds one up.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class unicode_lower(FunctionElement[str]):
    """``lower()`` that folds the case of every letter, not only A-Z: PostgreSQL's does (in a UTF-8
    database), SQLite's folds ASCII only, so on SQLite it calls ``accord_lower``, which every connection
    gets from ``make_engine``."""

    type = String()
    name = "unicode_lower"
    inherit_cache = True


@compiles(unicode_lower)
def _lower_sql(element: unicode_lower, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element: unicode_lower, compiler: Any, **kw: Any) -> str:
    return f"accord_lower({compiler.process(element.clauses, **kw)})"


def reader(engine: Engine) -> Engine:
    """The same database for reading only: on SQLite its transactions take no write lock.

    Use it for pages, listings and exports; anything that appends or projects needs ``engine`` itself.
    """
    return engine.execution_options(**{READ_ONLY: True})


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    if head is None:
        raise AccordError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_database(url: str | None = None, *, auto_upgrade: bool | None = None) -> Engine:
    """Open the database, checking its schema is current.

    SQLite (the embedded default) is created and migrated on first use. A server database is upgraded
    only by ``accord db upgrade``: other commands refuse while its schema is behind.
    """
    url = database_url(url)
    engine = make_engine(url)
    if auto_upgrade is None:
        auto_upgrade = engine.dialect.name == "sqlite"
    head = head_revision(url)
    current = current_revision(reader(engine))  # no write lock: a running ingest must not hold this up
    if current != head:
        if not auto_upgrade:
            engine.dispose()
            raise SchemaBehindError(current, head)
        upgrade(engine)
    return engine
