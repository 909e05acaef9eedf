"""The buyer's decision graph on a deal: add, change, link; it stays acyclic."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dealgraph.core.decisions import check_new_requirement, decision_graph, find_cycle
from dealgraph.core.enums import DecisionStatus
from dealgraph.core.model import Decision
from dealgraph.errors import CycleError, InvalidInput, NotFound
from dealgraph.services.common import (
    check_same_deal,
    check_unique,
    check_version,
    now,
    require_deal,
    set_deal_id,
)
from dealgraph.store import decisions as decision_store


def add_decision(
    session: Session, *, deal_id: int, decision: Decision, as_of: datetime | None = None
) -> Decision:
    """Add a decision to a deal's graph; requirements and owners must be on that deal."""
    require_deal(session, deal_id)
    if decision.id is not None:
        raise InvalidInput("a new decision has no id yet", where="id")
    _check_links(session, decision, deal_id)
    decided_at = _decided_at(decision, previous=None, at=as_of)
    return decision_store.create_decision(
        session,
        decision=decision.model_copy(
            update={"deal_id": set_deal_id(decision.deal_id, deal_id), "decided_at": decided_at}
        ),
    )


def update_decision(
    session: Session, *, decision: Decision, expected_version: int, as_of: datetime | None = None
) -> Decision:
    """Save a changed decision if not changed since ``expected_version`` (else Conflict).

    New requirements that would close a cycle raise CycleError naming the titles; becoming
    decided sets ``decided_at``.
    """
    if decision.id is None:
        raise InvalidInput("the decision has no id", where="id")
    current = decision_store.get_decision(session, decision_id=decision.id)
    check_version("decision", decision.id, current.version, expected_version)
    assert current.deal_id is not None
    set_deal_id(decision.deal_id, current.deal_id)
    _check_links(session, decision, current.deal_id)
    graph_now = [
        decision if d.id == decision.id else d
        for d in decision_store.list_decisions(session, deal_id=current.deal_id)
    ]
    cycle = find_cycle(decision_graph(graph_now))
    if cycle is not None:
        titles = {d.id: d.title for d in graph_now}
        raise CycleError([titles[n] for n in cycle])  # type: ignore[index]
    return decision_store.update_decision(
        session,
        decision=decision.model_copy(
            update={
                "deal_id": current.deal_id,
                "decided_at": _decided_at(decision, previous=current, at=as_of),
            }
        ),
        expected_version=expected_version,
    )


def add_requirement(
    session: Session, *, deal_id: int, dependent_id: int, required_id: int
) -> Decision:
    """Make ``dependent_id`` require ``required_id``; a cycle is refused and changes nothing."""
    dependent = _decision_on_deal(session, deal_id, dependent_id, where="dependent_id")
    _decision_on_deal(session, deal_id, required_id, where="required_id")
    if required_id in dependent.requires:
        return dependent
    check_new_requirement(
        decision_store.list_decisions(session, deal_id=deal_id),
        dependent=dependent_id,
        required=required_id,
    )
    return decision_store.update_decision(
        session,
        decision=dependent.model_copy(update={"requires": [*dependent.requires, required_id]}),
        expected_version=dependent.version,
    )


def remove_requirement(
    session: Session, *, deal_id: int, dependent_id: int, required_id: int
) -> Decision:
    """Drop the requirement ``dependent_id`` → ``required_id``; NotFound when there is none."""
    dependent = _decision_on_deal(session, deal_id, dependent_id, where="dependent_id")
    if required_id not in dependent.requires:
        raise NotFound("requirement", f"{dependent_id} requires {required_id}")
    return decision_store.update_decision(
        session,
        decision=dependent.model_copy(
            update={"requires": [r for r in dependent.requires if r != required_id]}
        ),
        expected_version=dependent.version,
    )


def remove_decision(session: Session, *, decision_id: int) -> None:
    """Remove a decision and every requirement touching it; NotFound when absent."""
    decision_store.delete_decision(session, decision_id=decision_id)


def get_decision(session: Session, *, decision_id: int) -> Decision:
    """One decision; NotFound when absent."""
    return decision_store.get_decision(session, decision_id=decision_id)


def list_decisions(session: Session, *, deal_id: int) -> list[Decision]:
    """A deal's decisions, by id; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return decision_store.list_decisions(session, deal_id=deal_id)


def _decision_on_deal(session: Session, deal_id: int, decision_id: int, *, where: str) -> Decision:
    require_deal(session, deal_id)
    decision = decision_store.get_decision(session, decision_id=decision_id)
    if decision.deal_id != deal_id:
        raise InvalidInput(f"decision {decision_id} is not on deal {deal_id}", where=where)
    return decision


def _check_links(session: Session, decision: Decision, deal_id: int) -> None:
    if decision.id is not None and decision.id in decision.requires:
        raise CycleError([decision.title, decision.title])
    check_unique(decision.requires, where="requires")
    check_unique(decision.owners, where="owners")
    check_same_deal(
        session,
        table_name="decisions",
        ids=decision.requires,
        deal_id=deal_id,
        where="requires",
        kind="decision",
    )
    check_same_deal(
        session,
        table_name="stakeholders",
        ids=decision.owners,
        deal_id=deal_id,
        where="owners",
        kind="stakeholder",
    )


def _decided_at(
    decision: Decision, *, previous: Decision | None, at: datetime | None
) -> datetime | None:
    if decision.status != DecisionStatus.DECIDED:
        return None
    if decision.decided_at is not None:
        return decision.decided_at
    if previous is not None and previous.decided_at is not None:
        return previous.decided_at
    return at or now()


def set_decision(
    session: Session,
    *,
    decision_id: int,
    status: DecisionStatus | str | None = None,
    title: str | None = None,
    level: int | None = None,
    owners: list[int] | None = None,
    add_requires: Sequence[int] = (),
    due: date | None = None,
    expected_version: int | None = None,
    as_of: datetime | None = None,
) -> Decision:
    """Change the fields given (None leaves a field as it is) in one versioned update.

    Without ``expected_version`` the version read now is used (last writer wins).
    """
    current = decision_store.get_decision(session, decision_id=decision_id)
    changes: dict[str, object] = {}
    if status is not None:
        valid = {s.value for s in DecisionStatus}
        if status not in valid:
            message = f"unknown status {status!r}; valid: {', '.join(sorted(valid))}"
            raise InvalidInput(message, where="status")
        changes["status"] = DecisionStatus(status)
    for name, value in (("title", title), ("level", level), ("owners", owners), ("due", due)):
        if value is not None:
            changes[name] = value
    if add_requires:
        changes["requires"] = [
            *current.requires,
            *(r for r in add_requires if r not in current.requires),
        ]
    try:
        changed = Decision.model_validate({**current.model_dump(), **changes})
    except ValidationError as error:
        first = error.errors()[0]
        raise InvalidInput(first["msg"], where=".".join(str(p) for p in first["loc"])) from None
    return update_decision(
        session,
        decision=changed,
        expected_version=current.version if expected_version is None else expected_version,
        as_of=as_of,
    )
