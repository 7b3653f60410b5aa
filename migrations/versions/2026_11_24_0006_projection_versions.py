"""which fold built each projection

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00.000000

``projection_checkpoints.version`` names the version of the fold that wrote a projection's rows
(``store.projections.VERSION``, ``store.feeds.VERSION``). A projector refuses to fold onto rows another
version wrote, since the same log may project differently now; ``accord rebuild`` writes them afresh.
Rows already projected get none: which code built them is not known, so the first command that would
fold onto them asks for a rebuild (a database with nothing projected yet needs none).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("projection_checkpoints", sa.Column("version", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projection_checkpoints") as batch:
        batch.drop_column("version")
