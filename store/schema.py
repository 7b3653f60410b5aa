"""Tables. The event log is the truth; every other table is a projection that ``rebuild`` recreates.

Alembic owns the schema (``migrations/``): these classes describe it for queries and for tests, and
``migrations/versions`` creates it. Payloads are stored as canonical JSON *text*, not JSONB, because the
hash chain is taken over the exact stored bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class AwareDateTime(TypeDecorator[datetime]):
    """Aware UTC timestamps on every backend (SQLite has no time zones: store ISO text there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is required")
        value = value.astimezone(UTC)
        return value.isoformat() if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        result: datetime = value.astimezone(UTC)
        return result


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    """The append-only log. The database refuses UPDATE and DELETE on it (triggers)."""

    __tablename__ = "events"

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    stream_id: Mapped[str] = mapped_column(String(200))
    stream_version: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(100))
    schema_version: Mapped[int] = mapped_column(SmallInteger)
    payload: Mapped[str] = mapped_column(Text)
    meta: Mapped[str] = mapped_column("metadata", Text)
    recorded_at: Mapped[datetime] = mapped_column(AwareDateTime())
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),)


class Checkpoint(Base):
    """How far each projection has read the log, and which version of its fold wrote its rows. Written in
    the same transaction as its rows. A ``version`` other than the code's means the rows may differ from
    what this code builds from the same log: the projector refuses to fold onto them until a rebuild."""

    __tablename__ = "projection_checkpoints"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[str | None] = mapped_column(String(40))  # None: written before versions were kept


class ReportRow(Base):
    """One article (report): its latest revision, latest extraction and latest match decision."""

    __tablename__ = "reports"

    article_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(Integer)
    received_position: Mapped[int] = mapped_column(BigInteger)  # first event of the article
    article_position: Mapped[int] = mapped_column(BigInteger)  # latest revision
    extraction_position: Mapped[int | None] = mapped_column(BigInteger)
    extractor_version: Mapped[str | None] = mapped_column(String(40))
    extraction: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the Extraction
    profile: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the matcher profile
    decision_position: Mapped[int | None] = mapped_column(BigInteger)
    cluster: Mapped[str | None] = mapped_column(Text)  # canonical JSON list of article ids
    outcome: Mapped[str | None] = mapped_column(String(20))
    review_with: Mapped[str | None] = mapped_column(String(40))
    meeting_id: Mapped[str | None] = mapped_column(String(40), index=True)


class MatchKeyRow(Base):
    """Blocking index: the matcher's candidates come from equality look-ups here, never a scan."""

    __tablename__ = "match_keys"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(40), primary_key=True)

    # SQLite: the rows live in the primary-key b-tree itself (migration 0003); small rows, read by key.
    __table_args__ = (Index("ix_match_keys_article", "article_id"), {"sqlite_with_rowid": False})


class ReviewRow(Base):
    """Human decisions, in log order, for the matcher's constraints and the facts' corrections."""

    __tablename__ = "review_decisions"

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    action: Mapped[str] = mapped_column(String(20))
    article_ids: Mapped[str] = mapped_column(Text)
    others: Mapped[str] = mapped_column(Text)
    field_name: Mapped[str | None] = mapped_column(String(40))
    value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)


class ReviewReportRow(Base):
    """Which reports each review names (in its ``article_ids`` or ``others``): the reviews touching some
    reports are looked up by report, never found by reading every review."""

    __tablename__ = "review_reports"

    article_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)

    # SQLite: the rows live in the primary-key b-tree itself, like ``match_keys``.
    __table_args__ = ({"sqlite_with_rowid": False},)


class MeetingRow(Base):
    """The canonical meeting table."""

    __tablename__ = "meetings"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    date_from: Mapped[str | None] = mapped_column(String(10), index=True)
    date_to: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str | None] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    report_count: Mapped[int] = mapped_column(Integer)
    review_with: Mapped[str | None] = mapped_column(String(40))

    # The review page: one status, newest first (store.queries.meeting_page), and counts by status.
    __table_args__ = (Index("ix_meetings_status_date", "status", "date_from", "meeting_id"),)


class MeetingReportRow(Base):
    __tablename__ = "meeting_reports"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_position: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str | None] = mapped_column(String(20))


class MeetingFactRow(Base):
    """A fact of a meeting: the chosen value, the alternatives sources disagree with, the rule that chose."""

    __tablename__ = "meeting_facts"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    attrs: Mapped[str] = mapped_column(Text)  # canonical JSON
    alternatives: Mapped[str] = mapped_column(Text)  # canonical JSON list
    rule: Mapped[str] = mapped_column(String(80))
    review_position: Mapped[int | None] = mapped_column(BigInteger)


class FactSourceRow(Base):
    """Where a meeting fact came from: event, source, span, quote, extractor, and the placing decision."""

    __tablename__ = "fact_sources"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    span_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    span_end: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(Text)
    extraction_position: Mapped[int] = mapped_column(BigInteger)
    extractor_version: Mapped[str] = mapped_column(String(40))
    decision_position: Mapped[int | None] = mapped_column(BigInteger)


class FeedRow(Base):
    """One polled feed: its settings and how its polls went (folded by ``store.feedfold``)."""

    __tablename__ = "feeds"

    feed_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    every_seconds: Mapped[int] = mapped_column(Integer)
    full_text: Mapped[bool] = mapped_column(Boolean)
    paused: Mapped[bool] = mapped_column(Boolean)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(AwareDateTime())
    added_by: Mapped[str] = mapped_column(String(200))
    last_polled_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_success_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_error_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    error_streak: Mapped[int] = mapped_column(Integer)
    next_poll_at: Mapped[datetime | None] = mapped_column(AwareDateTime())
    items_seen: Mapped[int] = mapped_column(Integer)
    items_new: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_position: Mapped[int] = mapped_column(BigInteger)


# APScheduler's job store. Not a projection and not truth: the daemon re-creates one job per feed from
# ``feeds`` when it starts. Declared here (and created by migration 0002) so that APScheduler never
# creates schema itself and Alembic knows the table.
APSCHEDULER_JOBS = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


PROJECTION_TABLES = (
    ReportRow,
    MatchKeyRow,
    ReviewRow,
    ReviewReportRow,
    MeetingRow,
    MeetingReportRow,
    MeetingFactRow,
    FactSourceRow,
    FeedRow,
    Checkpoint,
)
