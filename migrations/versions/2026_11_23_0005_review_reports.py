"""reviews by the reports they name

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 21:50:00.000000

``review_reports`` holds (article_id, position) for each report a review names, in its ``article_ids`` or
``others``. The matcher's constraints, a catch-up's regrouping and a meeting's history need the reviews
touching a few reports; without it they read every review (or matched JSON text against every row),
which grows with the desk's whole history of decisions. It is a projection, filled here from the reviews
already projected (``rebuild`` gives the same rows).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "review_reports",
        sa.Column("article_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "position"),
        sqlite_with_rowid=False,
    )
    reviews = op.get_bind().execute(sa.text("SELECT position, article_ids, others FROM review_decisions"))
    rows = [
        {"article_id": article_id, "position": position}
        for position, article_ids, others in reviews
        for article_id in sorted({*json.loads(article_ids), *json.loads(others)})
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("review_reports")
