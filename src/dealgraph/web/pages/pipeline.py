"""The pipeline: the user's visible deals by buyer stage, as a board or a sortable table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dealgraph.core.enums import DealStatus
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Playbook
from dealgraph.core.signals_builtin import BUILTIN_SIGNALS
from dealgraph.web import charts
from dealgraph.web.deps import PageUser, SessionDep, SettingsDep
from dealgraph.web.templating import render

router = APIRouter()

SORTS: dict[str, str] = {
    "value": "value",
    "age": "age",
    "eta": "ETA P50",
    "stage": "stage",
    "title": "deal",
}
VIEWS = ("board", "table")
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


@router.get("/pipeline", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    settings: SettingsDep,
    view: str = "board",
    owner: str = "",
    stage: str = "",
    status: str = "open",
    signal: str = "",
    sort: str = "-value",
) -> HTMLResponse:
    """Board (columns per stage) or table of the deals the user may see, filtered and sorted."""
    from dealgraph.services.access import visible_deals
    from dealgraph.services.pipeline import pipeline

    filters = {"owner": owner, "stage": stage, "status": status, "signal": signal}
    rows = pipeline(
        session,
        user=user,
        status=None if status in ("", "all") else status,
        owner=owner or None,
        stage=stage or None,
        signal=signal or None,
        settings=settings,
    )
    descending = sort.startswith("-")
    sort_key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "value"
    books = _playbooks_of(rows, settings.default_playbook)
    rows = sorted(rows, key=lambda r: _sort_value(r, sort_key, books), reverse=descending)
    columns = _board_columns(rows, books)
    everyone = visible_deals(session, user=user)
    query = {k: v for k, v in filters.items() if v and not (k == "status" and v == "all")}
    return render(
        request,
        "pipeline.html",
        user=user,
        json_url="/api/v1/deals" + (f"?{urlencode(query)}" if query else ""),
        rows=rows,
        columns=columns,
        view=view if view in VIEWS else "board",
        filters=filters,
        sort=("-" if descending else "") + sort_key,
        sorts=SORTS,
        owners=sorted({d.owner for d in everyone}),
        stages=[(s.key, s.title) for book in books.values() for s in book.stages],
        statuses=[s.value for s in DealStatus],
        signals=_signal_choices(books),
        multi_playbook=len(books) > 1,
        totals=_by_currency(rows),
        stage_chart=charts.stage_value_figure(
            [(c["title"], len(c["rows"]), c["values"]) for c in columns if c["rows"]]
        ),
        link=lambda **changes: _link({**filters, "view": view, "sort": sort}, **changes),
    )


def _by_currency(rows: Sequence[Any]) -> list[tuple[str, float]]:
    """Value per currency, largest first: amounts in different currencies are never added."""
    totals: dict[str, float] = {}
    for row in rows:
        totals[row.deal.currency] = totals.get(row.deal.currency, 0.0) + float(row.deal.value)
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _playbooks_of(rows: Sequence[Any], default: str) -> dict[str, Playbook]:
    """The playbooks the rows travel, the workspace default first."""
    keys = [default, *sorted({r.deal.playbook for r in rows} - {default})]
    return {key: get_playbook(key) for key in keys}


def _sort_value(row: Any, key: str, books: dict[str, Playbook]) -> Any:
    if key == "value":
        return row.deal.value
    if key == "age":
        return row.age_days
    if key == "eta":
        return row.eta_p50.isoformat() if row.eta_p50 else "9999"
    if key == "title":
        return row.deal.title.lower()
    book = books[row.deal.playbook]
    known = row.deal.stage in {s.key for s in book.stages}
    order = list(books).index(row.deal.playbook)
    return (order, book.stage_index(row.deal.stage) if known else -1)


def _board_columns(rows: Sequence[Any], books: dict[str, Playbook]) -> list[dict[str, Any]]:
    """One column per stage of each playbook in use, in journey order, with count and value."""
    columns: list[dict[str, Any]] = []
    for book in books.values():
        for stage in book.stages:
            in_stage = [
                r for r in rows if r.deal.playbook == book.key and r.deal.stage == stage.key
            ]
            if not in_stage and stage.end is not None:
                continue
            columns.append(
                {
                    "key": stage.key,
                    "title": stage.title,
                    "playbook": book.title,
                    "rows": in_stage,
                    "values": _by_currency(in_stage),
                }
            )
    return columns


def _signal_choices(books: dict[str, Playbook]) -> list[tuple[str, str]]:
    choices = [(s.key, s.title) for s in BUILTIN_SIGNALS]
    for book in books.values():
        choices += [(rule.key, rule.key.replace("_", " ")) for rule in book.signals]
    return list(dict.fromkeys(choices))


def _link(current: dict[str, str], **changes: str) -> str:
    """This page's URL with some query parameters changed (for sort headers and toggles)."""
    params = {**current, **changes}
    return "/pipeline?" + urlencode({k: v for k, v in params.items() if v})
