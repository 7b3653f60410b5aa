"""Table-driven checks of date expressions: which calendar day a written date names (texts invented)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from extract.dates import find_dates
from extract.names import could_be_name_word


def _row(description: str, input: Any, expected: Any) -> Any:
    return pytest.param(input, expected, id=description)


SLASHED_ROWS = [
    _row("day above 12 comes first: British order", "Filed 14/09/2013 by the desk.", date(2013, 9, 14)),
    _row("day above 12 comes second: American order", "Filed 09/14/2013 by the desk.", date(2013, 9, 14)),
    _row("both could be months, the text names May", "05/02/2013\nIn May the council voted.", date(2013, 5, 2)),
    _row("both could be months, the text names February", "05/02/2013\nBy February it was over.",
         date(2013, 2, 5)),
    _row("both could be months, no month named: no day", "05/02/2013\nThe council voted.", None),
    _row("the verb may names no month", "05/02/2013\nThe council may vote again.", None),
    _row("same number twice is one reading", "07/07/2012 at noon", date(2012, 7, 7)),
    _row("dotted dates stay day first", "Published 05.03.2024", date(2024, 3, 5)),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), SLASHED_ROWS)
def test_numeric_dates(input: str, expected: date | None) -> None:
    days = [d.day for d in find_dates(input, 0, len(input), None) if d.kind == "numeric"]
    assert days == ([expected] if expected else [])


NAME_WORD_ROWS = [
    _row("a plural acronym is a thing", "CPUs", False),
    _row("an acronym is no name word", "NASA", False),
    _row("a surname is", "Halvik", True),
    _row("a surname with inner capital is", "McAllen", True),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), NAME_WORD_ROWS)
def test_name_words(input: str, expected: bool) -> None:
    assert could_be_name_word(input) is expected
