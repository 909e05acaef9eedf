"""The buyer's problem map: goals, pressures, obstacles, initiatives, in their own words."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dealgraph.core.model import ProblemItem
from dealgraph.errors import InvalidInput
from dealgraph.services.common import (
    check_same_deal,
    check_unique,
    now,
    require_deal,
    set_deal_id,
)
from dealgraph.store import accounts as account_store
from dealgraph.store import plan as plan_store


def add_problem(
    session: Session, *, deal_id: int, problem: ProblemItem, as_of: datetime | None = None
) -> ProblemItem:
    """Add an item to a deal's problem map, linked to its decisions and to offerings."""
    require_deal(session, deal_id)
    if problem.id is not None:
        raise InvalidInput("a new problem has no id yet", where="id")
    _check_links(session, problem, deal_id)
    return plan_store.create_problem(
        session,
        problem=problem.model_copy(
            update={
                "deal_id": set_deal_id(problem.deal_id, deal_id),
                "confirmed_at": _confirmed_at(problem, as_of),
            }
        ),
    )


def update_problem(
    session: Session, *, problem: ProblemItem, as_of: datetime | None = None
) -> ProblemItem:
    """Save a changed problem-map item; links are checked as on add."""
    if problem.id is None:
        raise InvalidInput("the problem has no id", where="id")
    current = plan_store.get_problem(session, problem_id=problem.id)
    assert current.deal_id is not None
    set_deal_id(problem.deal_id, current.deal_id)
    _check_links(session, problem, current.deal_id)
    return plan_store.update_problem(
        session,
        problem=problem.model_copy(
            update={"deal_id": current.deal_id, "confirmed_at": _confirmed_at(problem, as_of)}
        ),
    )


def remove_problem(session: Session, *, problem_id: int) -> None:
    """Remove a problem-map item; NotFound when absent."""
    plan_store.delete_problem(session, problem_id=problem_id)


def list_problems(session: Session, *, deal_id: int) -> list[ProblemItem]:
    """A deal's problem map, by id; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return plan_store.list_problems(session, deal_id=deal_id)


def _check_links(session: Session, problem: ProblemItem, deal_id: int) -> None:
    check_unique(problem.decisions, where="decisions")
    check_unique(problem.offerings, where="offerings")
    check_same_deal(
        session,
        table_name="stakeholders",
        ids=[problem.confirmed_by],
        deal_id=deal_id,
        where="confirmed_by",
        kind="stakeholder",
    )
    check_same_deal(
        session,
        table_name="decisions",
        ids=problem.decisions,
        deal_id=deal_id,
        where="decisions",
        kind="decision",
    )
    missing = sorted(set(problem.offerings) - account_store.offering_ids(session))
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise InvalidInput(f"no offering {listed}", where="offerings")


def _confirmed_at(problem: ProblemItem, as_of: datetime | None) -> datetime | None:
    if problem.confirmed_by is None:
        return None
    return problem.confirmed_at or as_of or now()
