"""The Patterns page: what happened across the deals the user may see, filtered."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dealgraph.charts import patterns as charts
from dealgraph.charts.journey import journey_figure
from dealgraph.errors import InvalidInput
from dealgraph.services.patterns_view import JourneyLevel, PatternFilters, patterns_overview
from dealgraph.web.deps import PageUser, SessionDep, SettingsDep
from dealgraph.web.templating import render

router = APIRouter()

LEVELS: tuple[JourneyLevel, ...] = ("stages", "activities")


def _day(value: str, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter, None when empty."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", where=name) from None


@router.get("/patterns", response_class=HTMLResponse)
def patterns_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    created_from: str = "",
    created_to: str = "",
    seller: str = "",
    segment: str = "",
    level: str = "stages",
) -> HTMLResponse:
    """Journey map, funnel, time in stage, variants, conformance, channels, signals, stalls."""
    filters = PatternFilters(
        created_from=_day(created_from, "created_from"),
        created_to=_day(created_to, "created_to"),
        seller=seller.strip() or None,
        segment=segment.strip() or None,
    )
    chosen: JourneyLevel = "activities" if level == "activities" else "stages"
    overview = patterns_overview(
        session, user=user, filters=filters, playbook=settings.default_playbook, level=chosen
    )
    query = filters.query()
    suffix = f"?{urlencode(query)}" if query else ""
    stages = [(s.stage, s.title) for s in overview.funnel.stages]
    figures = {
        "journey": journey_figure(overview.journey),
        "funnel": charts.funnel_figure(overview.funnel),
        "time-in-stage": charts.time_in_stage_figure(overview.funnel),
        "variants": charts.variants_figure(overview.variants),
        "conformance": charts.conformance_figure(overview.conformance),
        "channels": charts.channel_heatmap_figure(overview.channels, stages),
        "signals": charts.signal_lift_figure(overview.signals),
    }
    level_query = {**query, "level": "stages" if chosen == "activities" else "activities"}
    return render(
        request,
        "patterns.html",
        user=user,
        json_url="/api/v1/patterns" + suffix,
        panel_url=lambda name: f"/api/v1/patterns/{name}{suffix}",
        overview=overview,
        filters=filters,
        level=chosen,
        other_level_url="/patterns?" + urlencode(level_query),
        figures=figures,
        stage_titles=dict(stages),
    )
