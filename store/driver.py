"""Statements on the driver's DB-API cursor, inside a SQLAlchemy connection's transaction.

For the statements run per event or per article (the log's appends and reads, the live projection,
matching's reads): SQLAlchemy's work for one statement (building and compiling it, result objects) costs
several times what SQLite takes to run it (~25-120 µs against ~4 µs for a primary-key read). SQL is
written with ``?`` marks and put in the driver's parameter style here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection

IDS_PER_STATEMENT = 500  # ids in one IN (...) clause or VALUES list
MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # the parameter mark of each DB-API style


def begin(conn: Connection) -> None:
    """Begin ``conn``'s transaction the usual way if it has not begun."""
    if not conn.in_transaction():
        # Autobegin, so that the engine's "begin" hook runs (SQLite: BEGIN IMMEDIATE, the write lock).
        conn.exec_driver_sql("SELECT 1")


def cursor(conn: Connection) -> Any:
    """A DB-API cursor inside ``conn``'s transaction (begun the usual way if not yet)."""
    begin(conn)
    return conn.connection.cursor()


def marked(conn: Connection, sql: str) -> str:
    """``sql`` with its ``?`` marks in the driver's parameter style."""
    mark = MARKS[conn.dialect.paramstyle]
    return sql if mark == "?" else sql.replace("?", mark)


def fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Rows of ``sql`` (``?`` marks its parameters; none for a statement without rows)."""
    found = cursor(conn)
    try:
        found.execute(marked(conn, sql), tuple(params))
        return list(found.fetchall()) if found.description else []
    finally:
        found.close()


def chunks(ids: Iterable[Any], size: int = IDS_PER_STATEMENT) -> Iterator[list[Any]]:
    """``ids`` sorted, in lists of at most ``size`` (one statement each)."""
    ordered = sorted(ids)
    for i in range(0, len(ordered), size):
        yield ordered[i : i + size]


def in_list(ids: Sequence[Any]) -> str:
    """``?, ?, ...``: one mark per id."""
    return ", ".join("?" for _ in ids)


def fetch_in(conn: Connection, sql: str, ids: Iterable[Any]) -> list[Any]:
    """Rows of ``sql`` for every id of ``ids``: its ``IN ({})`` gets the marks of one chunk of ids at a
    time (``chunks``), one statement each."""
    rows: list[Any] = []
    for chunk in chunks(ids):
        rows += fetch(conn, sql.format(in_list(chunk)), chunk)
    return rows
