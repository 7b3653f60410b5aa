"""feeds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:00:00.000000

The ``feeds`` projection (folded from the Feed* events), and APScheduler's job table, created here so
that APScheduler never creates schema itself (its job store only checks that the table exists).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Aware timestamps: timestamptz on PostgreSQL, ISO 8601 text on SQLite (which has no time zones).
AWARE_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=40), "sqlite")


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("feed_id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("full_text", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("pause_reason", sa.Text(), nullable=True),
        sa.Column("added_at", AWARE_TIMESTAMP, nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("last_polled_at", AWARE_TIMESTAMP, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_outcome", sa.String(length=20), nullable=True),
        sa.Column("last_success_at", AWARE_TIMESTAMP, nullable=True),
        sa.Column("last_error_at", AWARE_TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_streak", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", AWARE_TIMESTAMP, nullable=True),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("feed_id"),
    )
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(length=191), nullable=False),
        sa.Column("next_run_time", sa.Float(precision=25), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_apscheduler_jobs_next_run_time", ["next_run_time"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("apscheduler_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_apscheduler_jobs_next_run_time")
    op.drop_table("apscheduler_jobs")
    op.drop_table("feeds")
