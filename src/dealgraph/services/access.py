"""Who may see and change which deal: one rule, used for reading and writing alike.

An admin sees every deal. A seller sees the deals they own (``Deal.owner`` equals their
name). A manager sees their own deals and those of users in the same non-empty team. A deal
whose owner is not a user is seen by admins only.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus, UserRole
from dealgraph.core.model import Deal, Decision, Interaction, PlanItem, ProblemItem, Stakeholder
from dealgraph.core.users import User
from dealgraph.errors import Forbidden
from dealgraph.services.deals import list_deals
from dealgraph.store import deals as deal_store
from dealgraph.store import decisions as decision_store
from dealgraph.store import interactions as interaction_store
from dealgraph.store import plan as plan_store
from dealgraph.store import stakeholders as stakeholder_store
from dealgraph.store import users as user_store


def can_see_deal(user: User, deal: Deal, *, team_of: Mapping[str, str]) -> bool:
    """The access rule; ``team_of`` maps every user's name to their team."""
    if not user.active:
        return False
    if user.role == UserRole.ADMIN:
        return True
    if deal.owner == user.name:
        return True
    if user.role == UserRole.MANAGER and user.team:
        return team_of.get(deal.owner) == user.team
    return False


def visible_owners(session: Session, *, user: User) -> set[str] | None:
    """The deal owners whose deals this user sees; None means every deal (an admin)."""
    if not user.active:
        return set()
    if user.role == UserRole.ADMIN:
        return None
    if user.role == UserRole.MANAGER and user.team:
        teams = user_store.user_teams(session)
        return {name for name, team in teams.items() if team == user.team} | {user.name}
    return {user.name}


def visible_deals(
    session: Session,
    *,
    user: User,
    status: DealStatus | str | None = None,
    owner: str | None = None,
    stage: str | None = None,
) -> list[Deal]:
    """The deals this user may see, matching every filter given, by id."""
    owners = visible_owners(session, user=user)
    if owners is not None and owner is not None:
        if owner not in owners:
            return []
        owners = {owner}
    if owners is not None and len(owners) == 1:
        owner = next(iter(owners))
    deals = list_deals(session, status=status, owner=owner, stage=stage)
    if owners is None:
        return deals
    return [d for d in deals if d.owner in owners]


def require_deal_access(session: Session, *, user: User, deal_id: int) -> Deal:
    """The deal if this user may see and change it; NotFound if absent, Forbidden if not."""
    deal = deal_store.get_deal(session, deal_id=deal_id)
    if user.role == UserRole.ADMIN and user.active:
        return deal
    if not can_see_deal(user, deal, team_of=user_store.user_teams(session)):
        raise Forbidden(f"deal {deal_id} is not one of yours")
    return deal


def require_stakeholder_access(session: Session, *, user: User, stakeholder_id: int) -> Stakeholder:
    """The stakeholder if its deal is visible to this user (NotFound / Forbidden otherwise)."""
    stakeholder = stakeholder_store.get_stakeholder(session, stakeholder_id=stakeholder_id)
    _check_parent(session, user=user, deal_id=stakeholder.deal_id)
    return stakeholder


def require_decision_access(session: Session, *, user: User, decision_id: int) -> Decision:
    """The decision if its deal is visible to this user (NotFound / Forbidden otherwise)."""
    decision = decision_store.get_decision(session, decision_id=decision_id)
    _check_parent(session, user=user, deal_id=decision.deal_id)
    return decision


def require_plan_item_access(session: Session, *, user: User, plan_item_id: int) -> PlanItem:
    """The mutual plan item if its deal is visible to this user (NotFound / Forbidden)."""
    item = plan_store.get_plan_item(session, item_id=plan_item_id)
    _check_parent(session, user=user, deal_id=item.deal_id)
    return item


def require_problem_access(session: Session, *, user: User, problem_id: int) -> ProblemItem:
    """The problem-map item if its deal is visible to this user (NotFound / Forbidden)."""
    problem = plan_store.get_problem(session, problem_id=problem_id)
    _check_parent(session, user=user, deal_id=problem.deal_id)
    return problem


def require_interaction_access(session: Session, *, user: User, interaction_id: int) -> Interaction:
    """The interaction if its deal is visible to this user (NotFound / Forbidden)."""
    interaction = interaction_store.get_interaction(session, interaction_id=interaction_id)
    _check_parent(session, user=user, deal_id=interaction.deal_id)
    return interaction


def require_role(user: User, *roles: UserRole) -> None:
    """Forbidden unless the user is active and holds one of ``roles``."""
    if not user.active or user.role not in roles:
        names = " or ".join(r.value for r in roles)
        raise Forbidden(f"only a user with role {names} may do this")


def _check_parent(session: Session, *, user: User, deal_id: int | None) -> None:
    assert deal_id is not None, "stored child records always carry their deal id"
    require_deal_access(session, user=user, deal_id=deal_id)
