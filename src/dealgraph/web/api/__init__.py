"""The JSON API under /api/v1: one router per area, CSRF checked for cookie-authenticated writes."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from dealgraph.web.api import (
    auth,
    deals,
    decisions,
    interactions,
    model,
    patterns,
    plan,
    planning,
    playbooks,
    share,
    simulation,
    stakeholders,
    users,
    workspace,
)
from dealgraph.web.deps import verify_api_csrf

AREAS = (
    auth,
    deals,
    stakeholders,
    decisions,
    interactions,
    plan,
    share,
    playbooks,
    patterns,
    planning,
    model,
    simulation,
    workspace,
    users,
)

router = APIRouter(dependencies=[Depends(verify_api_csrf)])
for area in AREAS:
    router.include_router(area.router)

__all__ = ["AREAS", "router"]
