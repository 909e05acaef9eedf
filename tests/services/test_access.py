"""The access rule, role by role, on both databases: one rule for reading and writing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.core.users import User
from dealgraph.errors import Forbidden, NotFound
from dealgraph.services import access, deals, decisions, interactions, plan, problems
from dealgraph.services import stakeholders as people
from dealgraph.store import users as user_store
from tests.factories import (
    at,
    make_deal,
    make_interaction,
    make_plan_item,
    make_problem,
    make_stakeholder,
)

# name -> (role, team). The access rule never looks at passwords, so users are stored with a
# placeholder hash straight through the store: no argon2 work for a table of 30 cases.
PEOPLE: dict[str, tuple[UserRole, str]] = {
    "ada.admin": (UserRole.ADMIN, ""),
    "mo.manager": (UserRole.MANAGER, "East"),
    "nia.manager": (UserRole.MANAGER, ""),  # a manager without a team
    "sam.seller": (UserRole.SELLER, "East"),
    "kim.seller": (UserRole.SELLER, "West"),
    "eli.seller": (UserRole.SELLER, "East"),
}
# Deal owners: every user above, plus someone who is not a user.
OWNERS = [*PEOPLE, "ghost.owner"]


@dataclass
class World:
    users: dict[str, User]
    deals: dict[str, int]  # owner -> deal id


def build_world(session: Session) -> World:
    stored = {}
    for name, (role, team) in PEOPLE.items():
        user = User(email=f"{name}@example.com", name=name, role=role, team=team, created_at=at(0))
        stored[name] = user_store.create_user(session, user=user, password_hash="unused")
    owned = {}
    for owner in OWNERS:
        deal = deals.create_deal(session, deal=make_deal(title=f"{owner} deal", owner=owner))
        assert deal.id is not None
        owned[owner] = deal.id
    return World(users=stored, deals=owned)


# viewer -> owners whose deals the viewer sees
VISIBLE = {
    "ada.admin": set(OWNERS),
    "mo.manager": {"mo.manager", "sam.seller", "eli.seller"},
    "nia.manager": {"nia.manager"},
    "sam.seller": {"sam.seller"},
    "kim.seller": {"kim.seller"},
    "eli.seller": {"eli.seller"},
}
CASES = [(viewer, owner, owner in VISIBLE[viewer]) for viewer in PEOPLE for owner in OWNERS]


def _case_id(case: tuple[str, str, bool]) -> str:
    viewer, owner, allowed = case
    return f"{viewer}-{owner}-{'sees' if allowed else 'forbidden'}"


@pytest.mark.parametrize(("viewer", "owner", "allowed"), CASES, ids=map(_case_id, CASES))
def test_access_table(session: Session, viewer: str, owner: str, allowed: bool) -> None:
    world = build_world(session)
    user = world.users[viewer]
    deal_id = world.deals[owner]
    deal = deals.get_deal(session, deal_id=deal_id)
    teams = user_store.user_teams(session)
    assert access.can_see_deal(user, deal, team_of=teams) is allowed
    assert (deal in access.visible_deals(session, user=user)) is allowed
    if allowed:
        assert access.require_deal_access(session, user=user, deal_id=deal_id) == deal
    else:
        with pytest.raises(Forbidden, match=f"deal {deal_id} is not one of yours"):
            access.require_deal_access(session, user=user, deal_id=deal_id)


def test_visible_deals_per_viewer_and_filters(session: Session) -> None:
    world = build_world(session)
    for viewer, owners in VISIBLE.items():
        seen = access.visible_deals(session, user=world.users[viewer])
        assert {d.owner for d in seen} == owners, viewer
    manager = world.users["mo.manager"]
    assert [d.owner for d in access.visible_deals(session, user=manager, owner="sam.seller")] == [
        "sam.seller"
    ]
    assert access.visible_deals(session, user=manager, owner="kim.seller") == []
    assert access.visible_deals(session, user=manager, status="won") == []
    first_stage = deals.get_deal(session, deal_id=world.deals["sam.seller"]).stage
    assert len(access.visible_deals(session, user=manager, stage=first_stage)) == 3
    assert access.visible_deals(session, user=manager, stage="no-such-stage") == []


def test_inactive_users_see_nothing(session: Session) -> None:
    world = build_world(session)
    for name in ("ada.admin", "sam.seller"):
        user = world.users[name]
        off = user_store.update_user(
            session, user=user.model_copy(update={"active": False}), expected_version=1
        )
        assert access.visible_deals(session, user=off) == []
        with pytest.raises(Forbidden):
            access.require_deal_access(session, user=off, deal_id=world.deals[name])


def test_missing_deal_is_not_found_for_everyone(session: Session) -> None:
    world = build_world(session)
    for user in world.users.values():
        with pytest.raises(NotFound, match="deal 9999 not found"):
            access.require_deal_access(session, user=user, deal_id=9999)


def test_child_records_follow_their_deal(session: Session) -> None:
    world = build_world(session)
    deal_id = world.deals["sam.seller"]
    person = people.add_stakeholder(session, deal_id=deal_id, stakeholder=make_stakeholder())
    decision = decisions.list_decisions(session, deal_id=deal_id)[0]
    item = plan.add_plan_item(session, deal_id=deal_id, item=make_plan_item())
    problem = problems.add_problem(session, deal_id=deal_id, problem=make_problem())
    touch = interactions.log_interaction(
        session, deal_id=deal_id, interaction=make_interaction()
    ).interaction
    checks = [
        (access.require_stakeholder_access, "stakeholder_id", person.id, person),
        (access.require_decision_access, "decision_id", decision.id, decision),
        (access.require_plan_item_access, "plan_item_id", item.id, item),
        (access.require_problem_access, "problem_id", problem.id, problem),
        (access.require_interaction_access, "interaction_id", touch.id, touch),
    ]
    for require, key, ident, expected in checks:
        for viewer in ("sam.seller", "mo.manager", "ada.admin"):
            assert require(session, user=world.users[viewer], **{key: ident}) == expected
        for viewer in ("kim.seller", "nia.manager"):
            with pytest.raises(Forbidden, match=f"deal {deal_id} is not one of yours"):
                require(session, user=world.users[viewer], **{key: ident})
        with pytest.raises(NotFound):
            require(session, user=world.users["ada.admin"], **{key: 987654})


def test_require_role(session: Session) -> None:
    world = build_world(session)
    access.require_role(world.users["ada.admin"], UserRole.ADMIN)
    access.require_role(world.users["mo.manager"], UserRole.ADMIN, UserRole.MANAGER)
    with pytest.raises(Forbidden, match="only a user with role admin may do this"):
        access.require_role(world.users["sam.seller"], UserRole.ADMIN)


def test_team_change_moves_visibility(session: Session) -> None:
    world = build_world(session)
    kim = world.users["kim.seller"]
    manager = world.users["mo.manager"]
    with pytest.raises(Forbidden):
        access.require_deal_access(session, user=manager, deal_id=world.deals["kim.seller"])
    user_store.update_user(
        session, user=kim.model_copy(update={"team": "East"}), expected_version=1
    )
    deal = access.require_deal_access(session, user=manager, deal_id=world.deals["kim.seller"])
    assert deal.owner == "kim.seller"
