"""Playbook simulation: the shipped scenarios, the fitted one, and simulating one or two designs.

Any signed-in user may simulate. The fitted model (``fitted: true``, ``base: fitted``)
learns from the deals that user may see, so a seller's fit is their own deals'. The data
of the Simulate page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from dealgraph.services import simulation_view as view
from dealgraph.web.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(tags=["simulation"])

SIMULATE_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "not signed in and no API token"},
    403: {"description": "a cookie-authenticated POST without its CSRF token"},
    422: {
        "description": "scenario YAML with problems (`problems`, each with file, line, column "
        "and path), an unknown scenario or nothing to fit (`where`), or `deals` / `seed` out "
        "of range (`detail` list)"
    },
}
PlaybookQuery = Annotated[
    str | None, Query(description="playbook whose deals are fitted (default: the workspace's)")
]


@router.get("/scenarios", response_model=list[view.ScenarioSummary])
def list_scenarios(user: CurrentUser) -> list[view.ScenarioSummary]:
    """The scenarios shipped with dealgraph: name, title, description and playbook."""
    return view.list_scenarios()


@router.get(
    "/scenarios/fitted",
    response_model=view.FittedScenario,
    responses={
        401: SIMULATE_ERRORS[401],
        422: {"description": "an unknown playbook, or none of your deals has moved yet"},
    },
)
def get_fitted(
    session: SessionDep, user: CurrentUser, settings: SettingsDep, playbook: PlaybookQuery = None
) -> view.FittedScenario:
    """The scenario fitted from the deals you may see, as YAML text and parsed."""
    return view.fitted_scenario(session, user=user, playbook=playbook or settings.default_playbook)


@router.post("/simulate", response_model=view.SimulationOutcome, responses=SIMULATE_ERRORS)
def post_simulate(
    body: view.SimulationRequest, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> view.SimulationOutcome:
    """Simulate design A, or A and B side by side with B - A and its 95 % interval per metric.

    Each design is ``{"scenario": key}``, ``{"yaml": text}`` or ``{"fitted": true}``. Nothing
    is stored.
    """
    return view.run_simulation(
        session, user=user, request=body, default_playbook=settings.default_playbook
    )


@router.get("/simulate", response_model=view.SimulationOutcome, responses=SIMULATE_ERRORS)
def get_simulate(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    a: Annotated[str, Query(description="design A: a shipped scenario's key, or `fitted`")],
    b: Annotated[
        str | None, Query(description="design B: a shipped scenario's key, or `fitted`")
    ] = None,
    deals: Annotated[
        int, Query(ge=view.MIN_DEALS, le=view.MAX_DEALS, description="deals per design")
    ] = view.DEFAULT_DEALS,
    seed: Annotated[int, Query(ge=0, le=view.MAX_SEED, description="seed of A; B: seed + 1")] = 1,
) -> view.SimulationOutcome:
    """The same as POST for designs named in the query (the Simulate page's JSON twin)."""
    request = view.SimulationRequest(
        a=view.named_choice(a), b=view.named_choice(b) if b else None, deals=deals, seed=seed
    )
    return view.run_simulation(
        session, user=user, request=request, default_playbook=settings.default_playbook
    )
