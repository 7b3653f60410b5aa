"""meetings by status, newest first

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:30:00.000000

The review page lists meetings of one status newest first, by keyset over (date_from, meeting_id), and
counts them by status. Without an index on the status, each page filtered by status scans the meeting
table until it has found a page's worth; with (status, date_from, meeting_id) it is one range read, and
the counts are read from the index alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_meetings_status_date", "meetings", ["status", "date_from", "meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meetings_status_date", table_name="meetings")
