"""The Simulate page: two interaction designs side by side before one is rolled out.

``GET /simulate?a=&b=&deals=&seed=`` runs designs named in the link (a shipped scenario's
key or ``fitted``); the form posts (with its CSRF token) when a design is pasted or
uploaded YAML. Both call ``services.simulation_view.run_simulation``, as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from dealgraph.charts import simulation as charts
from dealgraph.core.users import User
from dealgraph.errors import InvalidInput, PlaybookError
from dealgraph.services import simulation_view as view
from dealgraph.web.deps import PageUser, SessionDep, SettingsDep, verify_csrf
from dealgraph.web.pages import simulate_tables as tables
from dealgraph.web.templating import render

router = APIRouter()

YAML = "yaml"
"""The form's choice for a design given as pasted or uploaded YAML."""


@dataclass
class SimulateForm:
    """What the form shows and sends: a choice per design, its YAML text, deals and seed."""

    a: str = ""
    b: str = ""
    a_yaml: str = ""
    b_yaml: str = ""
    a_name: str = ""
    b_name: str = ""
    deals: str = str(view.DEFAULT_DEALS)
    seed: str = "1"

    @classmethod
    def defaults(cls) -> SimulateForm:
        """The first two shipped scenarios, A and B."""
        names = [s.name for s in view.list_scenarios()]
        return cls(a=names[0] if names else view.FITTED, b=names[1] if len(names) > 1 else "")

    def named_only(self) -> bool:
        """True when no design is YAML, so a link (GET) can repeat the run."""
        return YAML not in (self.a, self.b)

    def query(self) -> dict[str, str]:
        """The link parameters of a run of named designs."""
        query = {"a": self.a}
        if self.b:
            query["b"] = self.b
        return {**query, "deals": self.deals, "seed": self.seed}


@dataclass
class Failure:
    """Why a run did not happen: messages and located scenario problems."""

    messages: list[str] = field(default_factory=list)
    problems: list[dict[str, object]] = field(default_factory=list)


def _whole(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{text!r} is not a whole number", where=name) from None
    if not low <= value <= high:
        raise InvalidInput(f"must be from {low:,} to {high:,}, got {value:,}", where=name)
    return value


def _choice(letter: str, source: str, text: str, name: str) -> view.DesignChoice | None:
    where = f"design {letter}"
    if not source:
        if letter == "A":
            raise InvalidInput("choose a design", where=where)
        return None
    if source == YAML:
        if not text.strip():
            raise InvalidInput("paste a scenario or choose a YAML file", where=where)
        if len(text) > view.MAX_YAML_CHARS:
            raise InvalidInput(
                f"the scenario is {len(text):,} characters; the limit is {view.MAX_YAML_CHARS:,}",
                where=where,
            )
        return view.DesignChoice(yaml=text, name=name or None)
    return view.named_choice(source)


def simulation_request(form: SimulateForm) -> view.SimulationRequest:
    """The service's request for a filled form; InvalidInput names the first wrong field."""
    deals = _whole(form.deals, "deals", view.MIN_DEALS, view.MAX_DEALS)
    seed = _whole(form.seed, "seed", 0, view.MAX_SEED)
    a = _choice("A", form.a, form.a_yaml, form.a_name)
    assert a is not None
    b = _choice("B", form.b, form.b_yaml, form.b_name)
    return view.SimulationRequest(a=a, b=b, deals=deals, seed=seed)


@dataclass(frozen=True)
class Ran:
    """A run that happened: what was asked and what came out."""

    request: view.SimulationRequest
    outcome: view.SimulationOutcome


def _run(
    session: SessionDep, user: User, default_playbook: str, form: SimulateForm
) -> Ran | Failure:
    try:
        request = simulation_request(form)
        outcome = view.run_simulation(
            session, user=user, request=request, default_playbook=default_playbook
        )
        return Ran(request, outcome)
    except PlaybookError as error:
        head = str(error).partition("\n")[0]
        return Failure([head], [problem.to_dict() for problem in error.problems])
    except InvalidInput as error:
        return Failure([str(error)])


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    form: SimulateForm,
    result: Ran | Failure | None,
) -> HTMLResponse:
    outcome = result.outcome if isinstance(result, Ran) else None
    failure = result if isinstance(result, Failure) else None
    query = urlencode(form.query())
    linkable = outcome is not None and form.named_only()
    _, scope = view.fit_scope(session, user=user)
    context: dict[str, Any] = {
        "form": form,
        "yaml_choice": YAML,
        "fitted_choice": view.FITTED,
        "scenarios": view.list_scenarios(),
        "fit_scope": scope,
        "limits": (view.MIN_DEALS, view.MAX_DEALS, view.MAX_SEED),
        "outcome": outcome,
        "failure": failure,
        "permalink": f"/simulate?{query}" if linkable else None,
    }
    if outcome is not None:
        context |= {
            "comparison": tables.comparison_rows(outcome),
            "single": tables.single_rows(outcome) if outcome.b is None else [],
            "closed": tables.closed_form_rows(outcome),
            "stages": tables.stage_rows(outcome),
            "designs": charts.designs(outcome),
            "figures": {
                "cycle": charts.cycle_figure(outcome),
                "cost": charts.channel_cost_figure(outcome),
            },
            "api_body": tables.api_body(result.request) if isinstance(result, Ran) else "",
        }
    return render(
        request,
        "simulate.html",
        status_code=422 if failure is not None else 200,
        user=user,
        json_url=f"/api/v1/simulate?{query}" if linkable else "/api/v1/scenarios",
        **context,
    )


@router.get("/simulate", response_class=HTMLResponse)
def simulate_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    a: str = "",
    b: str = "",
    deals: str = "",
    seed: str = "",
) -> HTMLResponse:
    """The form; with ``a`` (and ``b``) in the link, the run of those named designs."""
    form = SimulateForm.defaults()
    if deals:
        form.deals = deals
    if seed:
        form.seed = seed
    if not a:
        return _page(request, session, user, form, None)
    form = replace(form, a=a, b=b)
    if not form.named_only():
        failure = Failure(["a pasted or uploaded scenario is sent with the form, not a link"])
        return _page(request, session, user, form, failure)
    return _page(request, session, user, form, _run(session, user, settings.default_playbook, form))


@router.post("/simulate", response_class=HTMLResponse, dependencies=[Depends(verify_csrf)])
async def simulate_form(
    request: Request, session: SessionDep, user: PageUser, settings: SettingsDep
) -> HTMLResponse:
    """Run the form's designs; an uploaded file replaces the pasted text of its design."""
    data = await request.form()
    text = {key: value for key, value in data.items() if isinstance(value, str)}
    form = SimulateForm(
        a=text.get("a", ""),
        b=text.get("b", ""),
        a_yaml=text.get("a_yaml", ""),
        b_yaml=text.get("b_yaml", ""),
        a_name=text.get("a_name", ""),
        b_name=text.get("b_name", ""),
        deals=text.get("deals", ""),
        seed=text.get("seed", ""),
    )
    problems: list[str] = []
    for letter in ("a", "b"):
        upload = data.get(f"{letter}_file")
        if isinstance(upload, UploadFile) and upload.filename:
            # a character is at most 4 bytes: anything longer is over the limit anyway
            content = await upload.read(view.MAX_YAML_CHARS * 4 + 1)
            where = f"design {letter.upper()}: {upload.filename}"
            if len(content) > view.MAX_YAML_CHARS * 4:
                problems.append(f"{where} is over {view.MAX_YAML_CHARS:,} characters")
                content = b""
            try:
                setattr(form, f"{letter}_yaml", content.decode("utf-8"))
            except UnicodeDecodeError as error:
                problems.append(f"{where} is not UTF-8 text (byte {error.start})")
            setattr(form, f"{letter}_name", upload.filename)
            setattr(form, letter, YAML)
    await data.close()
    if problems:
        return _page(request, session, user, form, Failure(problems))
    result = await run_in_threadpool(_run, session, user, settings.default_playbook, form)
    return _page(request, session, user, form, result)


@router.get("/simulate/fitted.yaml")
def fitted_download(
    session: SessionDep, user: PageUser, settings: SettingsDep, playbook: str = ""
) -> Response:
    """The scenario fitted from the deals you may see, as a file to edit and upload back."""
    key = playbook or settings.default_playbook
    fitted = view.fitted_scenario(session, user=user, playbook=key)
    return Response(
        fitted.yaml,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="fitted-{key}.yaml"'},
    )
