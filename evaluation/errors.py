"""Errors the measurement harness raises; all derive from the project's ``AccordError``."""

from __future__ import annotations

from pathlib import Path

from accord.errors import AccordError


class CorpusNotFoundError(AccordError, FileNotFoundError):
    """A labelled corpus folder (or one of its required files) is not where the loader looked."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        super().__init__(f"{what} not found at {path}: check the path (it is resolved from the repo root)")


class CorpusFormatError(AccordError, ValueError):
    """A corpus file exists but cannot be read as the loader expects."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(f"{path}: {problem}")


class ClusteringMismatchError(AccordError, ValueError):
    """Predicted and gold clusterings do not cover the same items exactly once."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"predicted and gold clusterings disagree on the items: {problem}")


class BenchExtraMissingError(AccordError, ImportError):
    """The text-only baseline needs scikit-learn, which lives in the optional ``bench`` extra."""

    def __init__(self, module: str) -> None:
        super().__init__(
            f"the baseline needs {module}: install the bench extra with pip install -e '.[bench]'"
        )


class BaselineTooLargeError(AccordError, ValueError):
    """The baseline's all-pairs distance matrix would not fit comfortably in memory."""

    def __init__(self, n_items: int, limit: int) -> None:
        super().__init__(
            f"the text-only baseline is quadratic and limited to {limit} items, this corpus has {n_items}: "
            "evaluate a smaller sample or skip the baseline"
        )
