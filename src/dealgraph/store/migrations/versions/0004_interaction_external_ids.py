"""External ids on interactions: where imported events (e.g. from an event log) came from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "interactions"


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: SQLite needs no table rebuild (which would cascade).
    op.add_column(TABLE, sa.Column("external_id", sa.String(length=200), nullable=True))
    op.add_column(TABLE, sa.Column("source", sa.String(length=80), nullable=True))
    op.create_index(f"uq_{TABLE}_source_external_id", TABLE, ["source", "external_id"], unique=True)


def downgrade() -> None:
    op.drop_index(f"uq_{TABLE}_source_external_id", table_name=TABLE)
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table and cascade.
    op.drop_column(TABLE, "source")
    op.drop_column(TABLE, "external_id")
