"""External ids: where imported accounts, deals, stakeholders and stage changes came from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("accounts", "deals", "stakeholders", "stage_changes")


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: SQLite needs no table rebuild (which would cascade).
    for table in TABLES:
        op.add_column(table, sa.Column("external_id", sa.String(length=200), nullable=True))
        op.add_column(table, sa.Column("source", sa.String(length=80), nullable=True))
        op.create_index(
            f"uq_{table}_source_external_id", table, ["source", "external_id"], unique=True
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"uq_{table}_source_external_id", table_name=table)
        # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the table and cascade.
        op.drop_column(table, "source")
        op.drop_column(table, "external_id")
