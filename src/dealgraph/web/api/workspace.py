"""The whole workspace as one native JSON document: export and import (admins only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from dealgraph.core.enums import UserRole
from dealgraph.services import workspace
from dealgraph.services.access import require_role
from dealgraph.web.deps import CurrentUser, SessionDep
from dealgraph.web.schemas import ImportDone

router = APIRouter(tags=["workspace"])

ADMIN_ONLY: dict[int | str, dict[str, str]] = {
    401: {"description": "not signed in"},
    403: {"description": "only an admin may do this"},
}


@router.get("/workspace/export", responses=ADMIN_ONLY)
def export_workspace(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Every record of the workspace as a native JSON document (every deal: admins only)."""
    require_role(user, UserRole.ADMIN)
    return workspace.export_workspace(session)


@router.post(
    "/workspace/import",
    response_model=ImportDone,
    status_code=201,
    responses={
        **ADMIN_ONLY,
        409: {"description": "the workspace is not empty"},
        422: {"description": "the document is invalid; `where` names record and field"},
    },
)
def import_workspace(
    session: SessionDep, user: CurrentUser, document: Annotated[dict[str, Any], Body()]
) -> ImportDone:
    """Load a native JSON document into an empty workspace; all or nothing."""
    require_role(user, UserRole.ADMIN)
    summary = workspace.import_workspace(session, document)
    return ImportDone(counts=summary.counts, total=summary.total)
