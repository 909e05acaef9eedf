"""Patterns across the deals you may see: journey, variants, funnel, conformance and more.

Every route takes the same filters (``created_from``, ``created_to``, ``seller``,
``segment``, ``playbook``) and answers the panel the Patterns page draws from it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from dealgraph.services import patterns_view as view
from dealgraph.web.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/patterns", tags=["patterns"])

PATTERN_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "not signed in and no API token"},
    403: {"description": "the seller named in `seller` is not visible to you"},
    422: {"description": "a wrong filter (period out of order, unknown playbook)"},
}


def pattern_filters(
    created_from: Annotated[date | None, Query(description="deals created on or after")] = None,
    created_to: Annotated[date | None, Query(description="deals created on or before")] = None,
    seller: Annotated[str | None, Query(description="only this seller's deals")] = None,
    segment: Annotated[str | None, Query(description="only deals in this segment")] = None,
) -> view.PatternFilters:
    """The filters every pattern route shares (empty values mean no filter)."""
    return view.PatternFilters(
        created_from=created_from,
        created_to=created_to,
        seller=seller or None,
        segment=segment or None,
    )


FiltersDep = Annotated[view.PatternFilters, Depends(pattern_filters)]
PlaybookQuery = Annotated[
    str | None, Query(description="playbook whose stages are counted (default: the workspace's)")
]


@router.get("", response_model=view.PatternsOverview, responses=PATTERN_ERRORS)
def get_overview(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
    level: view.JourneyLevel = "stages",
) -> view.PatternsOverview:
    """Every panel of the Patterns page at once."""
    return view.patterns_overview(
        session,
        user=user,
        filters=filters,
        playbook=playbook or settings.default_playbook,
        level=level,
    )


@router.get("/journey", response_model=view.JourneyPanel, responses=PATTERN_ERRORS)
def get_journey(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
    level: view.JourneyLevel = "stages",
    top: Annotated[int, Query(ge=1, le=500, description="most frequent edges kept")] = 40,
) -> view.JourneyPanel:
    """The journey map: directly-follows edges with counts and median/mean/p90 seconds."""
    return view.journey_panel(
        session,
        user=user,
        filters=filters,
        playbook=playbook or settings.default_playbook,
        level=level,
        top=top,
    )


@router.get("/variants", response_model=view.VariantsPanel, responses=PATTERN_ERRORS)
def get_variants(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
    top: Annotated[int, Query(ge=1, le=500, description="most frequent variants kept")] = 15,
) -> view.VariantsPanel:
    """The most frequent stage paths with count, share and win rate."""
    return view.variants_panel(
        session, user=user, filters=filters, playbook=playbook or settings.default_playbook, top=top
    )


@router.get("/funnel", response_model=view.FunnelPanel, responses=PATTERN_ERRORS)
def get_funnel(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
) -> view.FunnelPanel:
    """Deals reaching each stage, conversion and time in stage (median, p90 days)."""
    return view.funnel_panel(
        session, user=user, filters=filters, playbook=playbook or settings.default_playbook
    )


@router.get("/conformance", response_model=view.ConformancePanel, responses=PATTERN_ERRORS)
def get_conformance(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
    limit: Annotated[int, Query(ge=0, le=500, description="least conforming deals listed")] = 10,
) -> view.ConformancePanel:
    """Conforming vs deviating deals, their win rates with Wilson intervals."""
    return view.conformance_panel(
        session,
        user=user,
        filters=filters,
        playbook=playbook or settings.default_playbook,
        limit=limit,
    )


@router.get("/channels", response_model=view.ChannelsPanel, responses=PATTERN_ERRORS)
def get_channels(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
    within_days: Annotated[float, Query(ge=0, description="days an advance may follow")] = 30.0,
) -> view.ChannelsPanel:
    """Per stage and channel: touches, share followed by an advance, median days to it."""
    return view.channels_panel(
        session,
        user=user,
        filters=filters,
        playbook=playbook or settings.default_playbook,
        within_days=within_days,
    )


@router.get("/signals", response_model=view.SignalsPanel, responses=PATTERN_ERRORS)
def get_signals(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
) -> view.SignalsPanel:
    """Per signal: loss rate of closed deals where it fired vs the base, with intervals."""
    return view.signals_panel(
        session, user=user, filters=filters, playbook=playbook or settings.default_playbook
    )


@router.get("/stalls", response_model=view.StallsPanel, responses=PATTERN_ERRORS)
def get_stalls(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    filters: FiltersDep,
    playbook: PlaybookQuery = None,
    as_of: Annotated[datetime | None, Query(description="measure up to (default now)")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="deals listed")] = 20,
) -> view.StallsPanel:
    """Open deals sitting longest in their stage against that stage's history."""
    return view.stalls_panel(
        session,
        user=user,
        filters=filters,
        playbook=playbook or settings.default_playbook,
        as_of=as_of,
        limit=limit,
    )
