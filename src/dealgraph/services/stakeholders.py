"""The buying team: add, change, remove people; reporting lines stay inside the deal, acyclic."""

from __future__ import annotations

from datetime import datetime

import networkx as nx
from sqlalchemy.orm import Session

from dealgraph.core.model import Stakeholder
from dealgraph.errors import CycleError, InvalidInput
from dealgraph.services.common import check_version, now, require_deal, set_deal_id
from dealgraph.store import stakeholders as stakeholder_store


def add_stakeholder(
    session: Session, *, deal_id: int, stakeholder: Stakeholder, as_of: datetime | None = None
) -> Stakeholder:
    """Add a person to a deal's buying team; ``reports_to`` must be on the same deal."""
    require_deal(session, deal_id)
    if stakeholder.id is not None:
        raise InvalidInput("a new stakeholder has no id yet", where="id")
    team = stakeholder_store.list_stakeholders(session, deal_id=deal_id)
    _check_reports_to(stakeholder, team, deal_id)
    return stakeholder_store.create_stakeholder(
        session,
        stakeholder=stakeholder.model_copy(
            update={
                "deal_id": set_deal_id(stakeholder.deal_id, deal_id),
                "added_at": stakeholder.added_at or as_of or now(),
            }
        ),
    )


def update_stakeholder(
    session: Session, *, stakeholder: Stakeholder, expected_version: int
) -> Stakeholder:
    """Save a changed stakeholder if not changed since ``expected_version`` (else Conflict).

    A new ``reports_to`` must be on the same deal and must not close a reporting cycle.
    """
    if stakeholder.id is None:
        raise InvalidInput("the stakeholder has no id", where="id")
    current = stakeholder_store.get_stakeholder(session, stakeholder_id=stakeholder.id)
    check_version("stakeholder", stakeholder.id, current.version, expected_version)
    assert current.deal_id is not None
    set_deal_id(stakeholder.deal_id, current.deal_id)
    team = stakeholder_store.list_stakeholders(session, deal_id=current.deal_id)
    _check_reports_to(stakeholder, team, current.deal_id)
    _check_no_reporting_cycle(stakeholder, team)
    return stakeholder_store.update_stakeholder(
        session,
        stakeholder=stakeholder.model_copy(update={"deal_id": current.deal_id}),
        expected_version=expected_version,
    )


def remove_stakeholder(session: Session, *, stakeholder_id: int) -> None:
    """Remove a person; their reports report to nobody, their ownerships go with them."""
    stakeholder_store.delete_stakeholder(session, stakeholder_id=stakeholder_id)


def get_stakeholder(session: Session, *, stakeholder_id: int) -> Stakeholder:
    """One stakeholder; NotFound when absent."""
    return stakeholder_store.get_stakeholder(session, stakeholder_id=stakeholder_id)


def list_stakeholders(session: Session, *, deal_id: int) -> list[Stakeholder]:
    """The buying team of a deal, by id; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return stakeholder_store.list_stakeholders(session, deal_id=deal_id)


def _check_reports_to(stakeholder: Stakeholder, team: list[Stakeholder], deal_id: int) -> None:
    boss = stakeholder.reports_to
    if boss is None:
        return
    if stakeholder.id is not None and boss == stakeholder.id:
        raise InvalidInput(f"{stakeholder.name} cannot report to themselves", where="reports_to")
    if boss not in {s.id for s in team}:
        raise InvalidInput(f"no stakeholder {boss} on deal {deal_id}", where="reports_to")


def _check_no_reporting_cycle(stakeholder: Stakeholder, team: list[Stakeholder]) -> None:
    names = {s.id: s.name for s in team}
    graph = nx.DiGraph()
    for person in team:
        boss = stakeholder.reports_to if person.id == stakeholder.id else person.reports_to
        if boss is not None:
            graph.add_edge(person.id, boss)
    names[stakeholder.id] = stakeholder.name
    try:
        edges = nx.find_cycle(graph, source=stakeholder.id)
    except (nx.NetworkXNoCycle, nx.NetworkXError):
        return
    cycle = [edges[0][0], *(v for _, v in edges)]
    raise CycleError([names.get(n, str(n)) for n in cycle])
