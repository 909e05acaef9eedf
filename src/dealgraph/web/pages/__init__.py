"""Server-rendered HTML pages: each one shows the data of an API route and links to it."""

from __future__ import annotations

from fastapi import APIRouter

from dealgraph.web.pages import (
    auth,
    deal,
    deal_forms,
    patterns,
    pipeline,
    plan,
    playbooks,
    share,
    simulate,
)

router = APIRouter()
for module in (auth, pipeline, deal, deal_forms, playbooks, patterns, plan, simulate, share):
    router.include_router(module.router)

__all__ = ["router"]
