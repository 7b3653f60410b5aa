"""Publication dates as ISO 8601, as precise as the source states them, or None when unreadable."""

from __future__ import annotations

import email.utils
from datetime import date, datetime


def iso_date(value: object) -> str | None:
    """An ISO 8601 date or datetime string for ``value`` (ISO or RFC 2822 text), else None.

    A bare date stays a date: we never invent a time of day the source did not give.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None
