"""The workspace schema: one table per entity of ``core.model``, link tables for id lists.

Column names equal the model's field names, so rows and records convert one to one.
Link tables carry a ``position`` so id lists come back in the order they were written.
"""

from __future__ import annotations

import sqlalchemy as sa

from dealgraph.store.dialects import JSON_LIST

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

KEY = 80
NAME = 200
EXTERNAL_ID = 200


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _deal_id() -> sa.Column[int]:
    return sa.Column(
        "deal_id", sa.Integer, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False
    )


def _version() -> sa.Column[int]:
    return sa.Column("version", sa.Integer, nullable=False, server_default="1")


def _external() -> list[sa.Column[str]]:
    """Where an imported row came from: its id in the source system (e.g. a CRM)."""
    return [
        sa.Column("external_id", sa.String(EXTERNAL_ID)),
        sa.Column("source", sa.String(KEY)),
    ]


def _external_index(table: str) -> sa.Index:
    # A unique index, not a constraint: SQLite can add it without rebuilding the table.
    return sa.Index(f"uq_{table}_source_external_id", "source", "external_id", unique=True)


def _link(name: str, owner: str, owner_table: str, target: str, target_table: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column(
            owner,
            sa.Integer,
            sa.ForeignKey(f"{owner_table}.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            target,
            sa.Integer,
            sa.ForeignKey(f"{target_table}.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
    )


accounts = sa.Table(
    "accounts",
    metadata,
    _id(),
    sa.Column("name", sa.String(NAME), nullable=False, index=True),
    sa.Column("industry", sa.String(NAME), nullable=False),
    sa.Column("size", sa.Integer),
    sa.Column("region", sa.String(NAME), nullable=False),
    *_external(),
    _external_index("accounts"),
)

offerings = sa.Table(
    "offerings",
    metadata,
    _id(),
    sa.Column("key", sa.String(KEY), nullable=False, unique=True),
    sa.Column("name", sa.String(NAME), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
)

deals = sa.Table(
    "deals",
    metadata,
    _id(),
    sa.Column("title", sa.String(NAME), nullable=False),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), index=True),
    sa.Column("owner", sa.String(NAME), nullable=False, index=True),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expected_close", sa.Date),
    sa.Column("playbook", sa.String(KEY), nullable=False),
    sa.Column("playbook_version", sa.String(KEY), nullable=False),
    sa.Column("stage", sa.String(KEY)),
    sa.Column("stage_entered_at", sa.DateTime),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("loss_reason", sa.Text, nullable=False),
    sa.Column("segment", sa.String(KEY), nullable=False),
    _version(),
    *_external(),
    _external_index("deals"),
)

stakeholders = sa.Table(
    "stakeholders",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("name", sa.String(NAME), nullable=False),
    sa.Column("title", sa.String(NAME), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("stance", sa.Integer, nullable=False),
    sa.Column("influence", sa.String(20), nullable=False),
    sa.Column("response_mode", sa.String(20)),
    sa.Column("reports_to", sa.Integer, sa.ForeignKey("stakeholders.id", ondelete="SET NULL")),
    sa.Column("added_at", sa.DateTime),
    sa.Column("notes", sa.Text, nullable=False),
    _version(),
    *_external(),
    sa.Index(None, "deal_id"),
    _external_index("stakeholders"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("key", sa.String(KEY)),
    sa.Column("title", sa.String(NAME), nullable=False),
    sa.Column("stage", sa.String(KEY)),
    sa.Column("roles", JSON_LIST, nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("expected_days", sa.Integer, nullable=False),
    sa.Column("due", sa.Date),
    sa.Column("decided_at", sa.DateTime),
    _version(),
    sa.Index(None, "deal_id"),
)

decision_requirements = _link(
    "decision_requirements", "dependent_id", "decisions", "required_id", "decisions"
)
decision_owners = _link(
    "decision_owners", "decision_id", "decisions", "stakeholder_id", "stakeholders"
)

interactions = sa.Table(
    "interactions",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("occurred_at", sa.DateTime, nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("direction", sa.String(20), nullable=False),
    sa.Column("play", sa.String(KEY)),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("evidence", JSON_LIST, nullable=False),
    sa.Column("seller", sa.String(NAME), nullable=False),
    *_external(),
    sa.Index(None, "deal_id", "occurred_at"),
    _external_index("interactions"),
)

interaction_participants = _link(
    "interaction_participants", "interaction_id", "interactions", "stakeholder_id", "stakeholders"
)

evidence = sa.Table(
    "evidence",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("criterion", sa.String(KEY), nullable=False),
    sa.Column("interaction_id", sa.Integer, sa.ForeignKey("interactions.id", ondelete="SET NULL")),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.UniqueConstraint("deal_id", "criterion"),
)

plan_items = sa.Table(
    "plan_items",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("side", sa.String(20), nullable=False),
    sa.Column("owner", sa.String(NAME), nullable=False),
    sa.Column("due", sa.Date),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("done_at", sa.DateTime),
    sa.Column("decision_id", sa.Integer, sa.ForeignKey("decisions.id", ondelete="SET NULL")),
    sa.Index(None, "deal_id"),
)

plan_item_dependencies = _link(
    "plan_item_dependencies", "item_id", "plan_items", "required_id", "plan_items"
)

stage_changes = sa.Table(
    "stage_changes",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("from_stage", sa.String(KEY)),
    sa.Column("to_stage", sa.String(KEY), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("interaction_id", sa.Integer, sa.ForeignKey("interactions.id", ondelete="SET NULL")),
    *_external(),
    sa.Index(None, "deal_id", "changed_at"),
    _external_index("stage_changes"),
)

close_date_changes = sa.Table(
    "close_date_changes",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("changed_at", sa.DateTime, nullable=False),
    sa.Column("from_date", sa.Date),
    sa.Column("to_date", sa.Date),
    sa.Index(None, "deal_id", "changed_at"),
)

problems = sa.Table(
    "problems",
    metadata,
    _id(),
    _deal_id(),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("statement", sa.String(500), nullable=False),
    sa.Column("confirmed_by", sa.Integer, sa.ForeignKey("stakeholders.id", ondelete="SET NULL")),
    sa.Column("confirmed_at", sa.DateTime),
    sa.Index(None, "deal_id"),
)

problem_decisions = _link("problem_decisions", "problem_id", "problems", "decision_id", "decisions")
problem_offerings = _link("problem_offerings", "problem_id", "problems", "offering_id", "offerings")

# -- accounts of the people who use the workspace (not sales data: never exported) --------

EMAIL = 254
TOKEN_HASH = 64  # sha256 hex digest

users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("email", sa.String(EMAIL), nullable=False, unique=True),
    sa.Column("name", sa.String(NAME), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("team", sa.String(KEY), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    _version(),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    _id(),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(NAME), nullable=False),
    sa.Column("token_hash", sa.String(TOKEN_HASH), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Index(None, "user_id"),
)

share_links = sa.Table(
    "share_links",
    metadata,
    _id(),
    _deal_id(),
    sa.Column(
        "created_by", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("token_hash", sa.String(TOKEN_HASH), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime),
    sa.Index(None, "deal_id"),
)

# -- trained win-probability models (in the database, so a backup carries them) ---------

win_models = sa.Table(
    "win_models",
    metadata,
    _id(),
    sa.Column("created_at", sa.DateTime, nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("trained_on", sa.DateTime, nullable=False),
    sa.Column("n_train", sa.Integer, nullable=False),
    sa.Column("n_test", sa.Integer, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("features", JSON_LIST, nullable=False),
    sa.Column("blob", sa.LargeBinary, nullable=False),
)
