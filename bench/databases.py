"""Throwaway databases for one benchmark: a fresh SQLite file or a fresh PostgreSQL database, dropped after."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine

from store.db import open_database

PG_ADMIN = os.environ.get("ACCORD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True, kw_only=True)
class Throwaway:
    """Where one benchmark's database lives. ``sqlite_path`` or ``pg_name`` is set, never both."""

    backend: str
    sqlite_path: str | None = None
    pg_name: str | None = None

    @property
    def url(self) -> str:
        if self.sqlite_path is not None:
            return f"sqlite:///{self.sqlite_path}"
        admin = psycopg.conninfo.conninfo_to_dict(PG_ADMIN)
        host, port, user = admin.get("host", "127.0.0.1"), admin.get("port", 5432), admin.get("user")
        return f"postgresql+psycopg://{user}@{host}:{port}/{self.pg_name}"

    def pg_params(self) -> dict[str, object]:
        admin = psycopg.conninfo.conninfo_to_dict(PG_ADMIN)
        return {
            "dbname": self.pg_name,
            "host": admin.get("host", "127.0.0.1"),
            "port": admin.get("port", 5432),
            "user": admin.get("user", "postgres"),
            "password": admin.get("password", ""),
        }


@contextmanager
def throwaway(backend: str, label: str = "db") -> Iterator[Throwaway]:
    """A new empty database of ``backend``; removed on exit whatever happened."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="accord-bench-")
        try:
            yield Throwaway(backend=backend, sqlite_path=os.path.join(folder, f"{label}.db"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    elif backend == "postgresql":
        name = f"accord_bench_{label}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Throwaway(backend=backend, pg_name=name)
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        raise ValueError(f"unknown backend {backend!r}: one of {BACKENDS}")


@contextmanager
def accord_engine(backend: str, label: str = "accord") -> Iterator[Engine]:
    """A migrated Accord database in a throwaway location."""
    with throwaway(backend, label) as db:
        engine = open_database(db.url, auto_upgrade=True)
        try:
            yield engine
        finally:
            engine.dispose()
