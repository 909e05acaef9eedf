"""Mutual plan, problem map, accounts and offerings on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.enums import ProblemKind
from dealgraph.errors import Conflict, CycleError, InvalidInput, NotFound
from dealgraph.services import deals, decisions, offerings, plan, problems
from dealgraph.services import stakeholders as people
from dealgraph.store.db import Database
from tests.factories import (
    at,
    make_deal,
    make_offering,
    make_plan_item,
    make_problem,
    make_stakeholder,
)


def _deal(session: Session) -> int:
    deal = deals.create_deal(session, deal=make_deal())
    assert deal.id is not None
    return deal.id


def _items(session: Session, deal_id: int) -> list[int]:
    ids: list[int] = []
    for title in ("Share data", "Run pilot", "Sign off"):
        item = plan.add_plan_item(
            session, deal_id=deal_id, item=make_plan_item(title=title, depends_on=ids[-1:])
        )
        assert item.id is not None
        ids.append(item.id)
    return ids


def test_plan_dependencies_and_completion(session: Session) -> None:
    deal_id = _deal(session)
    share, pilot, sign = _items(session, deal_id)
    decision = decisions.list_decisions(session, deal_id=deal_id)[0]
    linked = plan.update_plan_item(
        session,
        item=plan.get_plan_item(session, item_id=sign).model_copy(
            update={"depends_on": [pilot, share], "decision_id": decision.id}
        ),
    )
    assert linked.depends_on == [pilot, share]
    done = plan.complete_plan_item(session, item_id=share, as_of=at(4))
    assert (done.done, done.done_at) == (True, at(4))
    undone = plan.complete_plan_item(session, item_id=share, done=False)
    assert (undone.done, undone.done_at) == (False, None)
    assert [i.id for i in plan.list_plan_items(session, deal_id=deal_id)] == [share, pilot, sign]


def test_plan_cycle_is_refused_by_title(database: Database) -> None:
    with database.session() as session:
        deal_id = _deal(session)
        share, _, sign = _items(session, deal_id)
        before = plan.list_plan_items(session, deal_id=deal_id)
    with pytest.raises(CycleError) as caught, database.session() as session:
        first = plan.get_plan_item(session, item_id=share)
        plan.update_plan_item(session, item=first.model_copy(update={"depends_on": [sign]}))
    assert caught.value.cycle == ["Share data", "Run pilot", "Sign off", "Share data"]
    with database.session() as session:
        assert plan.list_plan_items(session, deal_id=deal_id) == before


def test_plan_links_stay_inside_the_deal(session: Session) -> None:
    first, second = _deal(session), _deal(session)
    foreign_item = _items(session, first)[0]
    foreign_decision = decisions.list_decisions(session, deal_id=first)[0].id
    for field, item in (
        ("depends_on", make_plan_item(depends_on=[foreign_item])),
        ("decision_id", make_plan_item(decision_id=foreign_decision)),
    ):
        with pytest.raises(InvalidInput) as caught:
            plan.add_plan_item(session, deal_id=second, item=item)
        assert caught.value.where == field
    assert plan.list_plan_items(session, deal_id=second) == []
    with pytest.raises(NotFound, match="plan item 999"):
        plan.complete_plan_item(session, item_id=999)


def test_problem_map_links(session: Session) -> None:
    deal_id = _deal(session)
    other = _deal(session)
    person = people.add_stakeholder(session, deal_id=deal_id, stakeholder=make_stakeholder())
    stranger = people.add_stakeholder(session, deal_id=other, stakeholder=make_stakeholder())
    offer = offerings.create_offering(session, offering=make_offering())
    own = [d.id for d in decisions.list_decisions(session, deal_id=deal_id)[:2]]
    foreign = decisions.list_decisions(session, deal_id=other)[0].id
    made = problems.add_problem(
        session,
        deal_id=deal_id,
        problem=make_problem(confirmed_by=person.id, decisions=own[::-1], offerings=[offer.id]),
        as_of=at(6),
    )
    assert made.confirmed_at == at(6) and made.decisions == own[::-1]
    bad = {
        "confirmed_by": make_problem(confirmed_by=stranger.id),
        "decisions": make_problem(decisions=[foreign]),
        "offerings": make_problem(offerings=[12345]),
    }
    for field, problem in bad.items():
        with pytest.raises(InvalidInput) as caught:
            problems.add_problem(session, deal_id=deal_id, problem=problem)
        assert caught.value.where == field
    changed = problems.update_problem(
        session,
        problem=made.model_copy(update={"kind": ProblemKind.OBSTACLE, "confirmed_by": None}),
    )
    assert changed.confirmed_at is None
    assert problems.list_problems(session, deal_id=deal_id) == [changed]
    assert made.id is not None
    problems.remove_problem(session, problem_id=made.id)
    assert problems.list_problems(session, deal_id=deal_id) == []


def test_offering_keys_are_unique(session: Session) -> None:
    offerings.create_offering(session, offering=make_offering())
    with pytest.raises(Conflict, match="route-planner"):
        offerings.create_offering(session, offering=make_offering(name="Another"))
    assert [o.key for o in offerings.list_offerings(session)] == ["route-planner"]
