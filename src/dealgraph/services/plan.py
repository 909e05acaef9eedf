"""The mutual plan: items the buyer and seller agree to do, with dependencies kept acyclic."""

from __future__ import annotations

from datetime import datetime

import networkx as nx
from sqlalchemy.orm import Session

from dealgraph.core.model import PlanItem
from dealgraph.errors import CycleError, InvalidInput
from dealgraph.services.common import (
    check_same_deal,
    check_unique,
    now,
    require_deal,
    set_deal_id,
)
from dealgraph.store import plan as plan_store


def add_plan_item(
    session: Session, *, deal_id: int, item: PlanItem, as_of: datetime | None = None
) -> PlanItem:
    """Add an item to a deal's mutual plan; dependencies and decision must be on that deal."""
    require_deal(session, deal_id)
    if item.id is not None:
        raise InvalidInput("a new plan item has no id yet", where="id")
    _check_links(session, item, deal_id)
    return plan_store.create_plan_item(
        session,
        item=item.model_copy(
            update={
                "deal_id": set_deal_id(item.deal_id, deal_id),
                "done_at": _done_at(item, previous=None, at=as_of),
            }
        ),
    )


def update_plan_item(
    session: Session, *, item: PlanItem, as_of: datetime | None = None
) -> PlanItem:
    """Save a changed plan item; a dependency that would close a cycle raises CycleError."""
    if item.id is None:
        raise InvalidInput("the plan item has no id", where="id")
    current = plan_store.get_plan_item(session, item_id=item.id)
    assert current.deal_id is not None
    set_deal_id(item.deal_id, current.deal_id)
    _check_links(session, item, current.deal_id)
    plan = [
        item if p.id == item.id else p
        for p in plan_store.list_plan_items(session, deal_id=current.deal_id)
    ]
    graph = nx.DiGraph()
    for planned in plan:
        graph.add_node(planned.id)
        graph.add_edges_from((required, planned.id) for required in planned.depends_on)
    try:
        edges = nx.find_cycle(graph, source=item.id)
    except nx.NetworkXNoCycle:
        edges = []
    if edges:
        titles = {p.id: p.title for p in plan}
        raise CycleError([titles[edges[0][0]], *(titles[v] for _, v in edges)])
    return plan_store.update_plan_item(
        session,
        item=item.model_copy(
            update={
                "deal_id": current.deal_id,
                "done_at": _done_at(item, previous=current, at=as_of),
            }
        ),
    )


def complete_plan_item(
    session: Session, *, item_id: int, done: bool = True, as_of: datetime | None = None
) -> PlanItem:
    """Mark an item done (or not done again); ``done_at`` follows."""
    current = plan_store.get_plan_item(session, item_id=item_id)
    return update_plan_item(session, item=current.model_copy(update={"done": done}), as_of=as_of)


def remove_plan_item(session: Session, *, item_id: int) -> None:
    """Remove a plan item (items depending on it lose that dependency); NotFound when absent."""
    plan_store.delete_plan_item(session, item_id=item_id)


def get_plan_item(session: Session, *, item_id: int) -> PlanItem:
    """One plan item; NotFound when absent."""
    return plan_store.get_plan_item(session, item_id=item_id)


def list_plan_items(session: Session, *, deal_id: int) -> list[PlanItem]:
    """A deal's mutual plan, by id; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return plan_store.list_plan_items(session, deal_id=deal_id)


def _check_links(session: Session, item: PlanItem, deal_id: int) -> None:
    if item.id is not None and item.id in item.depends_on:
        raise CycleError([item.title, item.title])
    check_unique(item.depends_on, where="depends_on")
    check_same_deal(
        session,
        table_name="plan_items",
        ids=item.depends_on,
        deal_id=deal_id,
        where="depends_on",
        kind="plan item",
    )
    check_same_deal(
        session,
        table_name="decisions",
        ids=[item.decision_id],
        deal_id=deal_id,
        where="decision_id",
        kind="decision",
    )


def _done_at(item: PlanItem, *, previous: PlanItem | None, at: datetime | None) -> datetime | None:
    if not item.done:
        return None
    if item.done_at is not None:
        return item.done_at
    if previous is not None and previous.done_at is not None:
        return previous.done_at
    return at or now()
