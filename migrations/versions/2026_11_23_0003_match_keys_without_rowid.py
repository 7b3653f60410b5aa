"""match_keys without rowid on SQLite

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:40:00.000000

On SQLite, ``match_keys`` becomes a WITHOUT ROWID table: its rows live in the primary-key b-tree
(key, article_id) itself instead of in a rowid table plus a copy of every row in the primary-key index.
The rows are small and every read is by key or by article, so one b-tree fewer halves what a bulk load
(``rebuild``) and each report's keys write, and look-ups by key read the table directly. Columns, keys
and indexes are unchanged; PostgreSQL has no rowids and is left alone.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate(*, with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "match_keys", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ):
        pass


def upgrade() -> None:
    _recreate(with_rowid=False)


def downgrade() -> None:
    _recreate(with_rowid=True)
