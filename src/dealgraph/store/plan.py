"""Mutual plan items and problem-map items of each deal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dealgraph.core.model import PlanItem, ProblemItem
from dealgraph.store import records, tables
from dealgraph.store.entities import PLAN_ITEM, PROBLEM


def create_plan_item(session: Session, *, item: PlanItem) -> PlanItem:
    """Store a new mutual plan item with its dependencies."""
    return records.insert(session, PLAN_ITEM, item)


def get_plan_item(session: Session, *, item_id: int) -> PlanItem:
    """One plan item; NotFound when absent."""
    return records.fetch(session, PLAN_ITEM, item_id)


def list_plan_items(session: Session, *, deal_id: int) -> list[PlanItem]:
    """The mutual plan of one deal, by id."""
    return records.select(session, PLAN_ITEM, where=[tables.plan_items.c.deal_id == deal_id])


def update_plan_item(session: Session, *, item: PlanItem) -> PlanItem:
    """Write a plan item's fields and dependencies; NotFound when absent."""
    return records.update(session, PLAN_ITEM, item)


def delete_plan_item(session: Session, *, item_id: int) -> None:
    """Remove a plan item; NotFound when absent."""
    records.delete(session, PLAN_ITEM, item_id)


def create_problem(session: Session, *, problem: ProblemItem) -> ProblemItem:
    """Store a new problem-map item with its decisions and offerings."""
    return records.insert(session, PROBLEM, problem)


def get_problem(session: Session, *, problem_id: int) -> ProblemItem:
    """One problem-map item; NotFound when absent."""
    return records.fetch(session, PROBLEM, problem_id)


def list_problems(session: Session, *, deal_id: int) -> list[ProblemItem]:
    """The problem map of one deal, by id."""
    return records.select(session, PROBLEM, where=[tables.problems.c.deal_id == deal_id])


def update_problem(session: Session, *, problem: ProblemItem) -> ProblemItem:
    """Write a problem-map item; NotFound when absent."""
    return records.update(session, PROBLEM, problem)


def delete_problem(session: Session, *, problem_id: int) -> None:
    """Remove a problem-map item; NotFound when absent."""
    records.delete(session, PROBLEM, problem_id)
