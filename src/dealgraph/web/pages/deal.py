"""The deal workspace: buying team, decision graph, GPS, problem map, signals, timeline, plan."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from dealgraph.core.engagement import engaged_ids
from dealgraph.core.enums import (
    Channel,
    DealStatus,
    DecisionStatus,
    Direction,
    Influence,
    Outcome,
    PlanSide,
    ProblemKind,
    ResponseMode,
    Role,
)
from dealgraph.core.levels import STRATA
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import Conflict, InvalidInput
from dealgraph.web import charts
from dealgraph.web.deps import PageUser, SessionDep, SettingsDep
from dealgraph.web.templating import render

router = APIRouter()


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_page(
    request: Request, deal_id: int, session: SessionDep, user: PageUser, settings: SettingsDep
) -> HTMLResponse:
    """Everything about one deal, editable, with its GPS; the same data as its record route."""
    from dealgraph.services.access import require_deal_access
    from dealgraph.services.deals import get_deal_record
    from dealgraph.services.gps import deal_gps
    from dealgraph.services.offerings import list_offerings
    from dealgraph.services.share_links import list_share_links

    require_deal_access(session, user=user, deal_id=deal_id)
    record = get_deal_record(session, deal_id=deal_id)
    playbook = get_playbook(record.deal.playbook)
    report = deal_gps(session, deal_id=deal_id, settings=settings, record=record)
    critical = [step.decision_id for step in report.critical_path]
    gaps = [gap.decision_id for gap in report.level_gaps]
    return render(
        request,
        "deal.html",
        user=user,
        json_url=f"/api/v1/deals/{deal_id}/record",
        record=record,
        deal=record.deal,
        playbook=playbook,
        gps=report,
        signals=report.signals,
        share_links=list_share_links(session, user=user, deal_id=deal_id),
        offerings=list_offerings(session),
        team_figure=charts.team_map_figure(record),
        decision_figure=charts.decision_graph_figure(record, critical=critical, level_gaps=gaps),
        critical=set(critical),
        gaps=set(gaps),
        engaged=engaged_ids(record),
        names=_names(record, playbook),
        timeline=sorted(
            record.interactions, key=lambda i: (i.occurred_at, i.id or 0), reverse=True
        ),
        evidence_by_criterion={e.criterion: e for e in record.evidence},
        problems_by_kind={
            kind: [p for p in record.problems if p.kind == kind] for kind in ProblemKind
        },
        choices=_choices(playbook),
        age_days=max(0, (report.as_of - record.deal.created_at).days),
        win=_win_probability(session, record),
    )


def _win_probability(session: Session, record: DealRecord) -> dict[str, Any] | None:
    """The open deal's scored win probability, or why there is none; None for closed deals.

    A model that cannot be trained or used (too little history, a deal it cannot score)
    gives the page a one-line reason instead of breaking it.
    """
    from dealgraph.services.win_model import explain

    if record.deal.status != DealStatus.OPEN or record.deal.id is None:
        return None
    try:
        return {"scored": explain(session, record.deal.id), "reason": None}
    except (Conflict, InvalidInput) as error:
        return {"scored": None, "reason": str(error)}


def _names(record: DealRecord, playbook: Playbook) -> dict[str, dict[Any, str]]:
    """Lookups from ids and keys to the words the page shows."""
    return {
        "people": {s.id: s.name for s in record.stakeholders},
        "decisions": {d.id: d.title for d in record.decisions},
        "plan": {p.id: p.title for p in record.plan},
        "criteria": {c.key: c.title for c in playbook.criteria},
        "plays": {p.key: p.title for p in playbook.plays},
        "stages": {s.key: s.title for s in playbook.stages},
    }


def _choices(playbook: Playbook) -> dict[str, Any]:
    """The closed vocabularies the forms offer."""
    return {
        "roles": list(Role),
        "influences": list(Influence),
        "response_modes": list(ResponseMode),
        "stances": sorted(charts.STANCE_NAMES.items()),
        "levels": STRATA,
        "statuses": list(DecisionStatus),
        "channels": list(Channel),
        "directions": list(Direction),
        "outcomes": list(Outcome),
        "sides": list(PlanSide),
        "kinds": list(ProblemKind),
        "plays": playbook.plays,
        "criteria": playbook.criteria,
    }
