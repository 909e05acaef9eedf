"""Initial schema: every table of the workspace.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_name"), "accounts", ["name"], unique=False)

    op.create_table(
        "offerings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offerings")),
        sa.UniqueConstraint("key", name=op.f("uq_offerings_key")),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=True),
        sa.Column("playbook", sa.String(length=80), nullable=False),
        sa.Column("playbook_version", sa.String(length=80), nullable=False),
        sa.Column("stage", sa.String(length=80), nullable=True),
        sa.Column("stage_entered_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("loss_reason", sa.Text(), nullable=False),
        sa.Column("segment", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_deals_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    op.create_index(op.f("ix_deals_account_id"), "deals", ["account_id"], unique=False)
    op.create_index(op.f("ix_deals_owner"), "deals", ["owner"], unique=False)
    op.create_index(op.f("ix_deals_status"), "deals", ["status"], unique=False)

    op.create_table(
        "close_date_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_close_date_changes_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_close_date_changes")),
    )
    op.create_index(
        op.f("ix_close_date_changes_deal_id_changed_at"),
        "close_date_changes",
        ["deal_id", "changed_at"],
        unique=False,
    )

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("stage", sa.String(length=80), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expected_days", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_decisions_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_deal_id"), "decisions", ["deal_id"], unique=False)

    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("play", sa.String(length=80), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("seller", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_interactions_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    op.create_index(
        op.f("ix_interactions_deal_id_occurred_at"),
        "interactions",
        ["deal_id", "occurred_at"],
        unique=False,
    )

    op.create_table(
        "stakeholders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("stance", sa.Integer(), nullable=False),
        sa.Column("influence", sa.String(length=20), nullable=False),
        sa.Column("response_mode", sa.String(length=20), nullable=True),
        sa.Column("reports_to", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_stakeholders_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reports_to"],
            ["stakeholders.id"],
            name=op.f("fk_stakeholders_reports_to_stakeholders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stakeholders")),
    )
    op.create_index(op.f("ix_stakeholders_deal_id"), "stakeholders", ["deal_id"], unique=False)

    op.create_table(
        "decision_owners",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_owners_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholders.id"],
            name=op.f("fk_decision_owners_stakeholder_id_stakeholders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", "stakeholder_id", name=op.f("pk_decision_owners")),
    )
    op.create_index(
        op.f("ix_decision_owners_stakeholder_id"),
        "decision_owners",
        ["stakeholder_id"],
        unique=False,
    )

    op.create_table(
        "decision_requirements",
        sa.Column("dependent_id", sa.Integer(), nullable=False),
        sa.Column("required_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dependent_id"],
            ["decisions.id"],
            name=op.f("fk_decision_requirements_dependent_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["required_id"],
            ["decisions.id"],
            name=op.f("fk_decision_requirements_required_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "dependent_id", "required_id", name=op.f("pk_decision_requirements")
        ),
    )
    op.create_index(
        op.f("ix_decision_requirements_required_id"),
        "decision_requirements",
        ["required_id"],
        unique=False,
    )

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=80), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_evidence_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_evidence_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("deal_id", "criterion", name=op.f("uq_evidence_deal_id_criterion")),
    )
    op.create_table(
        "interaction_participants",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_participants_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholders.id"],
            name=op.f("fk_interaction_participants_stakeholder_id_stakeholders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "interaction_id", "stakeholder_id", name=op.f("pk_interaction_participants")
        ),
    )
    op.create_index(
        op.f("ix_interaction_participants_stakeholder_id"),
        "interaction_participants",
        ["stakeholder_id"],
        unique=False,
    )

    op.create_table(
        "plan_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_plan_items_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_plan_items_decision_id_decisions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_items")),
    )
    op.create_index(op.f("ix_plan_items_deal_id"), "plan_items", ["deal_id"], unique=False)

    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("statement", sa.String(length=500), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by"],
            ["stakeholders.id"],
            name=op.f("fk_problems_confirmed_by_stakeholders"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_problems_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
    )
    op.create_index(op.f("ix_problems_deal_id"), "problems", ["deal_id"], unique=False)

    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=80), nullable=True),
        sa.Column("to_stage", sa.String(length=80), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_stage_changes_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_stage_changes_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
    )
    op.create_index(
        op.f("ix_stage_changes_deal_id_changed_at"),
        "stage_changes",
        ["deal_id", "changed_at"],
        unique=False,
    )

    op.create_table(
        "plan_item_dependencies",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("required_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["plan_items.id"],
            name=op.f("fk_plan_item_dependencies_item_id_plan_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["required_id"],
            ["plan_items.id"],
            name=op.f("fk_plan_item_dependencies_required_id_plan_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "required_id", name=op.f("pk_plan_item_dependencies")),
    )
    op.create_index(
        op.f("ix_plan_item_dependencies_required_id"),
        "plan_item_dependencies",
        ["required_id"],
        unique=False,
    )

    op.create_table(
        "problem_decisions",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_problem_decisions_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_problem_decisions_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("problem_id", "decision_id", name=op.f("pk_problem_decisions")),
    )
    op.create_index(
        op.f("ix_problem_decisions_decision_id"), "problem_decisions", ["decision_id"], unique=False
    )

    op.create_table(
        "problem_offerings",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_problem_offerings_offering_id_offerings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_problem_offerings_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("problem_id", "offering_id", name=op.f("pk_problem_offerings")),
    )
    op.create_index(
        op.f("ix_problem_offerings_offering_id"), "problem_offerings", ["offering_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_problem_offerings_offering_id"), table_name="problem_offerings")

    op.drop_table("problem_offerings")
    op.drop_index(op.f("ix_problem_decisions_decision_id"), table_name="problem_decisions")

    op.drop_table("problem_decisions")
    op.drop_index(
        op.f("ix_plan_item_dependencies_required_id"), table_name="plan_item_dependencies"
    )

    op.drop_table("plan_item_dependencies")
    op.drop_index(op.f("ix_stage_changes_deal_id_changed_at"), table_name="stage_changes")

    op.drop_table("stage_changes")
    op.drop_index(op.f("ix_problems_deal_id"), table_name="problems")

    op.drop_table("problems")
    op.drop_index(op.f("ix_plan_items_deal_id"), table_name="plan_items")

    op.drop_table("plan_items")
    op.drop_index(
        op.f("ix_interaction_participants_stakeholder_id"), table_name="interaction_participants"
    )

    op.drop_table("interaction_participants")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_decision_requirements_required_id"), table_name="decision_requirements")

    op.drop_table("decision_requirements")
    op.drop_index(op.f("ix_decision_owners_stakeholder_id"), table_name="decision_owners")

    op.drop_table("decision_owners")
    op.drop_index(op.f("ix_stakeholders_deal_id"), table_name="stakeholders")

    op.drop_table("stakeholders")
    op.drop_index(op.f("ix_interactions_deal_id_occurred_at"), table_name="interactions")

    op.drop_table("interactions")
    op.drop_index(op.f("ix_decisions_deal_id"), table_name="decisions")

    op.drop_table("decisions")
    op.drop_index(op.f("ix_close_date_changes_deal_id_changed_at"), table_name="close_date_changes")

    op.drop_table("close_date_changes")
    op.drop_index(op.f("ix_deals_status"), table_name="deals")
    op.drop_index(op.f("ix_deals_owner"), table_name="deals")
    op.drop_index(op.f("ix_deals_account_id"), table_name="deals")

    op.drop_table("deals")
    op.drop_table("offerings")
    op.drop_index(op.f("ix_accounts_name"), table_name="accounts")

    op.drop_table("accounts")
