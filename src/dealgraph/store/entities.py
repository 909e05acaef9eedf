"""Which table and link tables hold each model of ``core.model``."""

from __future__ import annotations

from typing import Any

from dealgraph.core.model import (
    Account,
    CloseDateChange,
    Deal,
    Decision,
    Evidence,
    Interaction,
    Offering,
    PlanItem,
    ProblemItem,
    StageChange,
    Stakeholder,
)
from dealgraph.store import tables as t
from dealgraph.store.records import Entity, Link

ACCOUNT = Entity("account", Account, t.accounts)
OFFERING = Entity("offering", Offering, t.offerings)
DEAL = Entity("deal", Deal, t.deals, versioned=True)
STAKEHOLDER = Entity("stakeholder", Stakeholder, t.stakeholders, versioned=True)
DECISION = Entity(
    "decision",
    Decision,
    t.decisions,
    links=(
        Link("requires", t.decision_requirements, "dependent_id", "required_id"),
        Link("owners", t.decision_owners, "decision_id", "stakeholder_id"),
    ),
    versioned=True,
)
INTERACTION = Entity(
    "interaction",
    Interaction,
    t.interactions,
    links=(Link("participants", t.interaction_participants, "interaction_id", "stakeholder_id"),),
    order_by=("occurred_at", "id"),
)
EVIDENCE = Entity("evidence", Evidence, t.evidence, order_by=("recorded_at", "id"))
PLAN_ITEM = Entity(
    "plan item",
    PlanItem,
    t.plan_items,
    links=(Link("depends_on", t.plan_item_dependencies, "item_id", "required_id"),),
)
STAGE_CHANGE = Entity("stage change", StageChange, t.stage_changes, order_by=("changed_at", "id"))
CLOSE_DATE_CHANGE = Entity(
    "close date change", CloseDateChange, t.close_date_changes, order_by=("changed_at", "id")
)
PROBLEM = Entity(
    "problem",
    ProblemItem,
    t.problems,
    links=(
        Link("decisions", t.problem_decisions, "problem_id", "decision_id"),
        Link("offerings", t.problem_offerings, "problem_id", "offering_id"),
    ),
)

# Insertion order that satisfies every foreign key (export and import walk it).
ALL_ENTITIES: tuple[Entity[Any], ...] = (
    ACCOUNT,
    OFFERING,
    DEAL,
    STAKEHOLDER,
    DECISION,
    INTERACTION,
    EVIDENCE,
    PLAN_ITEM,
    STAGE_CHANGE,
    CLOSE_DATE_CHANGE,
    PROBLEM,
)
