"""The playbooks a leader designs: the journey and decision template drawn, every part listed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.datastructures import UploadFile

from dealgraph.core.levels import STRATA
from dealgraph.core.playbook.render import render_svg
from dealgraph.core.signals_builtin import BUILTIN_SIGNALS
from dealgraph.errors import InvalidInput, PlaybookError
from dealgraph.web.deps import PageUser, SessionDep, verify_csrf
from dealgraph.web.templating import render

router = APIRouter()


@router.get("/playbooks", response_class=HTMLResponse)
def playbooks_page(request: Request, user: PageUser) -> HTMLResponse:
    """The shipped playbooks, and a form to check a playbook file before rolling it out."""
    from dealgraph.services.playbooks import list_playbooks

    return render(
        request,
        "playbooks.html",
        user=user,
        json_url="/api/v1/playbooks",
        playbooks=list_playbooks(),
        result=None,
    )


@router.post(
    "/playbooks/validate", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)]
)
async def validate_upload(request: Request, user: PageUser, session: SessionDep) -> HTMLResponse:
    """Check an uploaded playbook file: 'valid', or every problem with file, line and path."""
    from dealgraph.services.playbooks import list_playbooks, validate_playbook_upload

    form = await request.form()
    upload = form.get("file")
    result: dict[str, object]
    if not isinstance(upload, UploadFile) or not upload.filename:
        result = {"valid": False, "file": "", "problems": [], "error": "choose a YAML file first"}
        await form.close()
    else:
        content = await upload.read()
        await form.close()
        try:
            playbook = validate_playbook_upload(content, filename=upload.filename)
        except PlaybookError as error:
            problems = [p.to_dict() for p in error.problems]
            result = {"valid": False, "file": upload.filename, "problems": problems}
        except InvalidInput as error:
            result = {"valid": False, "file": upload.filename, "problems": [], "error": str(error)}
        else:
            result = {"valid": True, "file": upload.filename, "title": playbook.title}
    return render(
        request,
        "playbooks.html",
        user=user,
        json_url="/api/v1/playbooks",
        playbooks=list_playbooks(),
        result=result,
    )


@router.get("/playbooks/{key}", response_class=HTMLResponse)
def playbook_page(request: Request, key: str, user: PageUser) -> HTMLResponse:
    """One playbook: diagrams, then each stage's goal, criteria, plays, durations and rules."""
    from dealgraph.services.playbooks import show_playbook

    playbook = show_playbook(key)
    # render_svg escapes every text it draws (our own code), so it may go in as markup.
    diagram = Markup(render_svg(playbook))  # noqa: S704
    criteria = {c.key: c for c in playbook.criteria}
    return render(
        request,
        "playbook.html",
        user=user,
        json_url=f"/api/v1/playbooks/{key}",
        playbook=playbook,
        diagram=diagram,
        criteria=criteria,
        plays_by_stage={
            s.key: [p for p in playbook.plays if p.stage == s.key] for s in playbook.stages
        },
        unstaged_plays=[
            p for p in playbook.plays if p.stage not in {s.key for s in playbook.stages}
        ],
        decisions_by_stage={
            s.key: [d for d in playbook.decisions if d.stage == s.key] for s in playbook.stages
        },
        strata={s.level: s for s in STRATA},
        builtin_signals=BUILTIN_SIGNALS,
    )
