"""Rebuild: drop every projection and replay the log. ``check`` proves the replay equals the live tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from accord.errors import ProjectionsOutdatedError
from store.eventlog import EventLog
from store.feeds import FeedProjector
from store.projections import Projector, snapshot


def projectors(conn: Connection) -> list[Any]:
    """Every projector, in the order they catch up. A new projection adds itself here."""
    return [Projector(conn), FeedProjector(conn)]


def outdated(conn: Connection) -> list[ProjectionsOutdatedError]:
    """The projections another version of their fold built: their rows may not be what this code builds
    from the log, and no catch-up folds onto them until ``accord rebuild`` (readers may warn)."""
    found = []
    for projector in projectors(conn):
        try:
            projector.checkpoint()
        except ProjectionsOutdatedError as e:
            found.append(e)
    return found


@dataclass(frozen=True, kw_only=True)
class RebuildResult:
    events: int
    differences: list[str]

    @property
    def identical(self) -> bool:
        return not self.differences


def rebuild(engine: Engine, *, check: bool = False) -> RebuildResult:
    """Replay the whole log into empty projections.

    With ``check`` the live tables are first caught up, then compared row by row with the replay, and
    the replay is rolled back: nothing changes, the result says whether the two are identical. Tables
    another version of their fold built are not compared (they cannot be caught up): each is a difference.
    """
    with engine.connect() as conn, conn.begin() as tx:
        EventLog(conn).lock()
        everything = projectors(conn)
        if check:
            if stale := outdated(conn):
                tx.rollback()
                return RebuildResult(events=0, differences=[str(e) for e in stale])
            for projector in everything:
                projector.catch_up()
            before = snapshot(conn)
        everything[0].reset()  # empties every projection table, checkpoints included
        # The meeting projection replays in one bulk pass; the others catch up as they do live.
        events = max(everything[0].replay(), *(projector.catch_up() for projector in everything[1:]))
        differences: list[str] = []
        if check:
            after = snapshot(conn)
            for table in sorted(before):
                old, new = before[table], after[table]
                if old != new:
                    only_live = len(set(old) - set(new))
                    only_replay = len(set(new) - set(old))
                    example = _example(sorted(set(old) - set(new)) or sorted(set(new) - set(old)))
                    differences.append(
                        f"{table}: {len(old)} live rows vs {len(new)} replayed "
                        f"({only_live} only live, {only_replay} only replayed; e.g. {example})"
                    )
            tx.rollback()
        else:
            tx.commit()
    return RebuildResult(events=events, differences=differences)


def _example(rows: list[tuple[Any, ...]]) -> str:
    """The first of ``rows``, shortened to its first columns (which name the row: ids, positions)."""
    if not rows:
        return "none"
    return ", ".join(repr(v)[:40] for v in rows[0][:3])
