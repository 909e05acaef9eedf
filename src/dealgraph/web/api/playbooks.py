"""Playbooks: the shipped ones, one in full, and checking an uploaded file."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile

from dealgraph.core.playbook import Playbook
from dealgraph.services import playbooks
from dealgraph.web.deps import CurrentUser
from dealgraph.web.schemas import PlaybookSummary, PlaybookValid

router = APIRouter(tags=["playbooks"])


@router.get("/playbooks", response_model=list[PlaybookSummary])
def list_playbooks(user: CurrentUser) -> list[PlaybookSummary]:
    """The playbooks shipped with dealgraph, by key."""
    return [PlaybookSummary.model_validate(s.model_dump()) for s in playbooks.list_playbooks()]


@router.get(
    "/playbooks/{key}",
    response_model=Playbook,
    responses={404: {"description": "no such playbook"}},
)
def show_playbook(key: str, user: CurrentUser) -> Playbook:
    """One playbook in full: stages, criteria, plays, decisions, signals, contingencies."""
    return playbooks.show_playbook(key)


@router.post(
    "/playbooks/validate",
    response_model=PlaybookValid,
    responses={422: {"description": "the file has problems; each has file, line, column, path"}},
)
async def validate_playbook(file: UploadFile, user: CurrentUser) -> PlaybookValid:
    """Check an uploaded playbook YAML file: 200 when valid, 422 with located problems."""
    content = await file.read(playbooks.MAX_UPLOAD_BYTES + 1)
    playbook = playbooks.validate_playbook_upload(content, filename=file.filename or "")
    return PlaybookValid(key=playbook.key, title=playbook.title, version=playbook.version)
