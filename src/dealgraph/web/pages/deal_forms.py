"""Form posts of the deal workspace: each calls a service and redirects back (PRG).

Every route checks CSRF, then access through services.access, then changes the deal through
the same service the JSON API uses. A refused change (stale version, cycle, bad input) comes
back as an error flash on the deal page and nothing of it is kept.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from dealgraph.core.enums import (
    Channel,
    DecisionStatus,
    Direction,
    Influence,
    Outcome,
    PlanSide,
    ProblemKind,
    ResponseMode,
    Role,
)
from dealgraph.core.model import Decision, Interaction, PlanItem, ProblemItem, Stakeholder
from dealgraph.core.playbook import get_playbook
from dealgraph.core.users import User
from dealgraph.errors import InvalidInput
from dealgraph.services.common import now
from dealgraph.web.deps import PageUser, SessionDep, verify_csrf
from dealgraph.web.pages.common import (
    int_list,
    optional_date,
    optional_int,
    outcome,
    required_int,
    see_other,
    str_list,
    text,
)
from dealgraph.web.templating import flash

router = APIRouter(dependencies=[Depends(verify_csrf)])


def _back(deal_id: int, section: str) -> RedirectResponse:
    return see_other(f"/deals/{deal_id}#{section}")


def _check_deal(session: SessionDep, user: User, deal_id: int) -> None:
    from dealgraph.services.access import require_deal_access

    require_deal_access(session, user=user, deal_id=deal_id)


def _same_deal(kind: str, record_deal: int | None, deal_id: int) -> None:
    if record_deal != deal_id:
        raise InvalidInput(f"that {kind} is on another deal", where=kind)


# -- buying team -------------------------------------------------------------------------


@router.post("/deals/{deal_id}/stakeholders")
async def add_stakeholder(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Add a person to the buying team."""
    from dealgraph.services.stakeholders import add_stakeholder as add

    _check_deal(session, user, deal_id)
    form = await request.form()
    name = text(form, "name")
    with outcome(request, session, f"Added {name} to the buying team."):
        add(
            session,
            deal_id=deal_id,
            stakeholder=Stakeholder(
                name=name,
                title=text(form, "title"),
                role=Role(text(form, "role") or Role.OTHER),
                level=required_int(form, "level"),
                stance=required_int(form, "stance"),
                influence=Influence(text(form, "influence") or Influence.MEDIUM),
                response_mode=ResponseMode(text(form, "response_mode"))
                if text(form, "response_mode")
                else None,
                reports_to=optional_int(form, "reports_to"),
            ),
        )
        session.commit()
    return _back(deal_id, "team")


@router.post("/deals/{deal_id}/stakeholders/{stakeholder_id}")
async def edit_stakeholder(
    request: Request, deal_id: int, stakeholder_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Change a person's role, level, stance, influence, response mode or reporting line."""
    from dealgraph.services.access import require_stakeholder_access
    from dealgraph.services.stakeholders import update_stakeholder

    current = require_stakeholder_access(session, user=user, stakeholder_id=stakeholder_id)
    _same_deal("stakeholder", current.deal_id, deal_id)
    form = await request.form()
    with outcome(request, session, f"Saved {current.name}."):
        update_stakeholder(
            session,
            stakeholder=current.model_copy(
                update={
                    "role": Role(text(form, "role")),
                    "level": required_int(form, "level"),
                    "stance": required_int(form, "stance"),
                    "influence": Influence(text(form, "influence")),
                    "response_mode": ResponseMode(text(form, "response_mode"))
                    if text(form, "response_mode")
                    else None,
                    "reports_to": optional_int(form, "reports_to"),
                }
            ),
            expected_version=required_int(form, "version"),
        )
        session.commit()
    return _back(deal_id, "team")


@router.post("/deals/{deal_id}/stakeholders/{stakeholder_id}/remove")
async def remove_stakeholder(
    request: Request, deal_id: int, stakeholder_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Take a person off the buying team."""
    from dealgraph.services.access import require_stakeholder_access
    from dealgraph.services.stakeholders import remove_stakeholder as remove

    current = require_stakeholder_access(session, user=user, stakeholder_id=stakeholder_id)
    _same_deal("stakeholder", current.deal_id, deal_id)
    with outcome(request, session, f"Removed {current.name}."):
        remove(session, stakeholder_id=stakeholder_id)
        session.commit()
    return _back(deal_id, "team")


# -- decisions ---------------------------------------------------------------------------


@router.post("/deals/{deal_id}/decisions")
async def add_decision(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Add a decision to the buyer's graph, with what it requires and who owns it."""
    from dealgraph.services.decisions import add_decision as add

    _check_deal(session, user, deal_id)
    form = await request.form()
    title = text(form, "title")
    with outcome(request, session, f"Added decision {title!r}."):
        add(
            session,
            deal_id=deal_id,
            decision=Decision(
                title=title,
                requires=int_list(form, "requires"),
                owners=int_list(form, "owners"),
                level=required_int(form, "level"),
                expected_days=optional_int(form, "expected_days") or 14,
                due=optional_date(form, "due"),
            ),
        )
        session.commit()
    return _back(deal_id, "decisions")


@router.post("/deals/{deal_id}/decisions/{decision_id}")
async def edit_decision(
    request: Request, deal_id: int, decision_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Change a decision's status, owners, level or due date."""
    from dealgraph.services.access import require_decision_access
    from dealgraph.services.decisions import update_decision

    current = require_decision_access(session, user=user, decision_id=decision_id)
    _same_deal("decision", current.deal_id, deal_id)
    form = await request.form()
    with outcome(request, session, f"Saved decision {current.title!r}."):
        update_decision(
            session,
            decision=current.model_copy(
                update={
                    "status": DecisionStatus(text(form, "status")),
                    "owners": int_list(form, "owners"),
                    "level": required_int(form, "level"),
                    "due": optional_date(form, "due"),
                }
            ),
            expected_version=required_int(form, "version"),
        )
        session.commit()
    return _back(deal_id, "decisions")


@router.post("/deals/{deal_id}/requirements")
async def add_requirement(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Make one decision wait for another; a cycle is refused and named."""
    from dealgraph.services.decisions import add_requirement as link

    _check_deal(session, user, deal_id)
    form = await request.form()
    with outcome(request, session, "Dependency added."):
        link(
            session,
            deal_id=deal_id,
            dependent_id=required_int(form, "dependent_id"),
            required_id=required_int(form, "required_id"),
        )
        session.commit()
    return _back(deal_id, "decisions")


@router.post("/deals/{deal_id}/requirements/remove")
async def remove_requirement(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Stop one decision waiting for another."""
    from dealgraph.services.decisions import remove_requirement as unlink

    _check_deal(session, user, deal_id)
    form = await request.form()
    with outcome(request, session, "Dependency removed."):
        unlink(
            session,
            deal_id=deal_id,
            dependent_id=required_int(form, "dependent_id"),
            required_id=required_int(form, "required_id"),
        )
        session.commit()
    return _back(deal_id, "decisions")


# -- problem map -------------------------------------------------------------------------


@router.post("/deals/{deal_id}/problems")
async def add_problem(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Add a goal, pressure, obstacle or initiative, in the buyer's words."""
    from dealgraph.services.problems import add_problem as add

    _check_deal(session, user, deal_id)
    form = await request.form()
    with outcome(request, session, "Added to the problem map."):
        add(
            session,
            deal_id=deal_id,
            problem=ProblemItem(
                kind=ProblemKind(text(form, "kind")),
                statement=text(form, "statement"),
                confirmed_by=optional_int(form, "confirmed_by"),
                decisions=int_list(form, "decisions"),
                offerings=int_list(form, "offerings"),
            ),
        )
        session.commit()
    return _back(deal_id, "problems")


@router.post("/deals/{deal_id}/problems/{problem_id}/remove")
async def remove_problem(
    request: Request, deal_id: int, problem_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Take an item off the problem map."""
    from dealgraph.services.access import require_problem_access
    from dealgraph.services.problems import remove_problem as remove

    current = require_problem_access(session, user=user, problem_id=problem_id)
    _same_deal("problem", current.deal_id, deal_id)
    with outcome(request, session, "Removed from the problem map."):
        remove(session, problem_id=problem_id)
        session.commit()
    return _back(deal_id, "problems")


# -- timeline ----------------------------------------------------------------------------


@router.post("/deals/{deal_id}/interactions")
async def log_interaction(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Log a touch; the evidence it produced can move the buyer's stage (flashed)."""
    from dealgraph.services.interactions import log_interaction as log

    _check_deal(session, user, deal_id)
    form = await request.form()
    logged = None
    with outcome(request, session, "Interaction logged."):
        logged = log(
            session,
            deal_id=deal_id,
            interaction=Interaction(
                occurred_at=now() - timedelta(seconds=1),
                channel=Channel(text(form, "channel")),
                direction=Direction(text(form, "direction") or Direction.TWO_WAY),
                play=text(form, "play") or None,
                participants=int_list(form, "participants"),
                summary=text(form, "summary"),
                outcome=Outcome(text(form, "outcome") or Outcome.NEUTRAL),
                evidence=str_list(form, "evidence"),
                seller=user.name,
            ),
        )
        session.commit()
    if logged is not None and logged.stage_change is not None:
        change = logged.stage_change
        titles = {s.key: s.title for s in get_playbook(logged.deal.playbook).stages}
        before = titles.get(change.from_stage or "", change.from_stage or "start")
        flash(request, f"stage moved: {before} → {titles.get(change.to_stage, change.to_stage)}")
    return _back(deal_id, "gps" if logged and logged.stage_change else "timeline")


# -- mutual plan -------------------------------------------------------------------------


@router.post("/deals/{deal_id}/plan")
async def add_plan_item(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Add an item to the mutual plan."""
    from dealgraph.services.plan import add_plan_item as add

    _check_deal(session, user, deal_id)
    form = await request.form()
    title = text(form, "title")
    with outcome(request, session, f"Added {title!r} to the mutual plan."):
        add(
            session,
            deal_id=deal_id,
            item=PlanItem(
                title=title,
                side=PlanSide(text(form, "side") or PlanSide.JOINT),
                owner=text(form, "owner"),
                due=optional_date(form, "due"),
                depends_on=int_list(form, "depends_on"),
                decision_id=optional_int(form, "decision_id"),
            ),
        )
        session.commit()
    return _back(deal_id, "plan")


@router.post("/deals/{deal_id}/plan/{item_id}/toggle")
async def toggle_plan_item(
    request: Request, deal_id: int, item_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Mark a plan item done, or not done again."""
    from dealgraph.services.access import require_plan_item_access
    from dealgraph.services.plan import update_plan_item

    current = require_plan_item_access(session, user=user, plan_item_id=item_id)
    _same_deal("plan item", current.deal_id, deal_id)
    state = "not done" if current.done else "done"
    with outcome(request, session, f"{current.title!r} marked {state}."):
        update_plan_item(session, item=current.model_copy(update={"done": not current.done}))
        session.commit()
    return _back(deal_id, "plan")


@router.post("/deals/{deal_id}/plan/{item_id}/remove")
async def remove_plan_item(
    request: Request, deal_id: int, item_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Take an item off the mutual plan (items that wait for it no longer do)."""
    from dealgraph.services.access import require_plan_item_access
    from dealgraph.services.plan import remove_plan_item as remove

    current = require_plan_item_access(session, user=user, plan_item_id=item_id)
    _same_deal("plan item", current.deal_id, deal_id)
    with outcome(request, session, f"{current.title!r} removed from the plan."):
        remove(session, item_id=item_id)
        session.commit()
    return _back(deal_id, "plan")


# -- share links -------------------------------------------------------------------------


@router.post("/deals/{deal_id}/share-links")
async def create_share_link(
    request: Request, deal_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Make a buyer link; its URL is shown once, in the flash."""
    from dealgraph.services.share_links import create_share_link as create

    form = await request.form()
    created = None
    with outcome(request, session, "Share link created."):
        created = create(session, user=user, deal_id=deal_id, days=optional_int(form, "days"))
        session.commit()
    if created is not None:
        _, token = created
        url = str(request.base_url).rstrip("/") + f"/share/{token}"
        flash(request, f"Copy it now, it is shown once: {url}", "secret")
    return _back(deal_id, "share")


@router.post("/deals/{deal_id}/share-links/{link_id}/revoke")
async def revoke_share_link(
    request: Request, deal_id: int, link_id: int, session: SessionDep, user: PageUser
) -> RedirectResponse:
    """Turn a buyer link off for good."""
    from dealgraph.services.share_links import revoke_share_link as revoke

    with outcome(request, session, "Share link revoked."):
        revoke(session, user=user, link_id=link_id)
        session.commit()
    return _back(deal_id, "share")
