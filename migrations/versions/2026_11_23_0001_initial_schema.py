"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:45:07.259835

The event log and the projections. The log gets triggers that make the database itself refuse UPDATE,
DELETE (and on PostgreSQL TRUNCATE) of events: the log is append-only whatever client writes to it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Aware timestamps: timestamptz on PostgreSQL, ISO 8601 text on SQLite (which has no time zones).
AWARE_TIMESTAMP = sa.DateTime(timezone=True).with_variant(sa.String(length=40), "sqlite")

IMMUTABLE_MESSAGE = "accord: events are immutable"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE} (UPDATE refused)'); END""",
    f"""CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE} (DELETE refused)'); END""",
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION accord_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{IMMUTABLE_MESSAGE} (% refused)', TG_OP; END $$""",
    """CREATE TRIGGER events_refuse_change BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION accord_refuse_event_change()""",
    """CREATE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION accord_refuse_event_change()""",
]


def _create_log_triggers() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(dialect)
    if statements is None:
        raise NotImplementedError(f"Accord has no immutability triggers for {dialect}")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("stream_id", sa.String(length=200), nullable=False),
        sa.Column("stream_version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("schema_version", sa.SmallInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("metadata", sa.Text(), nullable=False),
        sa.Column("recorded_at", AWARE_TIMESTAMP, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
    )
    op.create_table(
        "fact_sources",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("article_id", sa.String(length=40), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("extraction_position", sa.BigInteger(), nullable=False),
        sa.Column("extractor_version", sa.String(length=40), nullable=False),
        sa.Column("decision_position", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", "field", "value", "article_id", "span_start"),
    )
    op.create_table(
        "match_keys",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("article_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", "article_id"),
    )
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.create_index("ix_match_keys_article", ["article_id"], unique=False)

    op.create_table(
        "meeting_facts",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("attrs", sa.Text(), nullable=False),
        sa.Column("alternatives", sa.Text(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("review_position", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", "field", "value"),
    )
    op.create_table(
        "meeting_reports",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("article_id", sa.String(length=40), nullable=False),
        sa.Column("decision_position", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id", "article_id"),
    )
    op.create_table(
        "meetings",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("date_from", sa.String(length=10), nullable=True),
        sa.Column("date_to", sa.String(length=10), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=40), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("review_with", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meetings_date_from"), ["date_from"], unique=False)

    op.create_table(
        "projection_checkpoints",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "reports",
        sa.Column("article_id", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.String(length=40), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("received_position", sa.BigInteger(), nullable=False),
        sa.Column("article_position", sa.BigInteger(), nullable=False),
        sa.Column("extraction_position", sa.BigInteger(), nullable=True),
        sa.Column("extractor_version", sa.String(length=40), nullable=True),
        sa.Column("extraction", sa.Text(), nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.Column("decision_position", sa.BigInteger(), nullable=True),
        sa.Column("cluster", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("review_with", sa.String(length=40), nullable=True),
        sa.Column("meeting_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("article_id"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "review_decisions",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("article_ids", sa.Text(), nullable=False),
        sa.Column("others", sa.Text(), nullable=False),
        sa.Column("field_name", sa.String(length=40), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    _create_log_triggers()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_refuse_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_refuse_change ON events")
        op.execute("DROP FUNCTION IF EXISTS accord_refuse_event_change()")
    op.drop_table("review_decisions")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_meeting_id"))

    op.drop_table("reports")
    op.drop_table("projection_checkpoints")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_date_from"))

    op.drop_table("meetings")
    op.drop_table("meeting_reports")
    op.drop_table("meeting_facts")
    with op.batch_alter_table("match_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_match_keys_article")

    op.drop_table("match_keys")
    op.drop_table("fact_sources")
    op.drop_table("events")
