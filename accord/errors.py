"""One base exception for the project; subclasses also derive from the fitting built-in.

Each subclass builds its message in ``__init__`` so a raise site names the facts, not the prose.
"""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord raises on purpose."""


class IngestError(AccordError, ValueError):
    """An input could not be read as articles. The message names the input and what to do."""

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


class ConcurrencyError(AccordError, RuntimeError):
    """Another writer appended to the stream first: re-read it and decide again."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        self.stream_id = stream_id
        self.expected_version = expected_version
        super().__init__(
            f"stream {stream_id!r} moved past version {expected_version} while this append was prepared"
        )


class SchemaBehindError(AccordError, RuntimeError):
    """The database schema is older than this code."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"database schema is at {current or 'nothing'}, this Accord needs {head}: run 'accord db upgrade'"
        )


class ImmutableLogError(AccordError, PermissionError):
    """Something tried to change or remove an event."""


class TamperedLogError(AccordError, ValueError):
    """The hash chain of the log does not verify."""

    def __init__(self, position: int, reason: str) -> None:
        self.position = position
        super().__init__(f"event log fails verification at position {position}: {reason}")


class NotFoundError(AccordError, LookupError):
    """A meeting, report or event that was asked for does not exist."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"no {kind} {key!r}")


class ProjectionsOutdatedError(AccordError, RuntimeError):
    """A projection's rows were folded by another version of its fold than this code's: they may differ
    from what this code would build from the same log, so nothing is folded onto them until a rebuild."""

    def __init__(self, name: str, built_by: str | None, current: str) -> None:
        self.name = name
        self.built_by = built_by
        self.current = current
        by = f"fold {built_by}" if built_by else "an Accord that recorded no fold version"
        super().__init__(
            f"the {name} tables were built by {by}; this Accord folds {current}: run 'accord rebuild'"
        )
