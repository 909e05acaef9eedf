"""Plan a quota from the end: the workspace's history, a plan file, and the goal tree."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput, Location, Problem
from dealgraph.planning.assumptions import resolve_rates
from dealgraph.planning.funnel import GoalTree, build_goal_tree
from dealgraph.planning.period import Period
from dealgraph.planning.plan_file import PlanFile, PlanFileError, load_plan_file, load_plan_text
from dealgraph.planning.rates import funnel_stages, history_rates
from dealgraph.services.cache import workspace_cached
from dealgraph.services.common import now, playbook_named
from dealgraph.store.deals import load_deal_records

DEFAULT_PLAYBOOK = "buyer-journey"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def quota_plan(
    session: Session,
    *,
    quota: float,
    period: Period,
    plan_file: str | Path | None = None,
    playbook_key: str | None = None,
    currency: str | None = None,
    sellers: int | None = None,
    as_of: datetime | None = None,
    overrides: Mapping[str, Any] | None = None,
    owners: set[str] | None = None,
) -> GoalTree:
    """The goal tree of ``quota`` over ``period``, from the workspace's deals and a plan file.

    The playbook defaults to the one most deals use; the currency to the one most won deals
    are in; the sellers to the owners active in the workspace. A bad plan file raises
    PlanFileError with every problem located; a missing rate raises InvalidInput naming it.
    ``overrides`` are a plan file's keys already parsed (a JSON body), checked the same way
    (``read_plan_overrides``). ``owners`` keeps only their deals (None: every deal), so the
    history, the playbook, the currency and the sellers all come from those deals.

    Example:
        >>> tree = quota_plan(session, quota=2e6, period=parse_period("2027Q1"))  # doctest: +SKIP
        >>> tree.wins, tree.opportunities  # doctest: +SKIP
        (28, 74)
    """
    moment = as_of or now()
    code = _check_inputs(quota, currency, sellers)
    records = workspace_records(session)
    if owners is not None:
        records = [r for r in records if r.deal.owner in owners]
    playbook = playbook_named(playbook_key or _usual_playbook(records))
    history = history_rates(records, playbook, as_of=moment, currency=code)
    if plan_file is not None:
        plan = read_plan_file(plan_file, playbook=playbook)
    elif overrides is not None:
        plan = read_plan_overrides(overrides, playbook=playbook)
    else:
        plan = PlanFile()
    rates = resolve_rates(history, plan, playbook=playbook, period=period, sellers=sellers)
    return build_goal_tree(quota=quota, period=period, rates=rates, as_of=moment.date())


def read_plan_file(path: str | Path, *, playbook: Playbook) -> PlanFile:
    """A plan file checked against the playbook's stages (``conversion`` keys)."""
    stages, won = funnel_stages(playbook)
    return load_plan_file(path, stages=stages, won_stage=won)


def read_plan_overrides(
    overrides: Mapping[str, Any], *, playbook: Playbook, source: str = "request body"
) -> PlanFile:
    """A plan file's keys given as data (a JSON body), checked by the plan file's own rules.

    The data goes through the same loader as a file, so the API and the CLI refuse the
    same things in the same words (unknown keys with a suggestion, ``22`` for ``0.22``,
    stages the playbook lacks). Data has no lines: each problem is located by its path
    alone (line and column 0) in ``source``.
    """
    text = yaml.safe_dump(dict(overrides), sort_keys=False, allow_unicode=True)
    stages, won = funnel_stages(playbook)
    try:
        return load_plan_text(text, file=source, stages=stages, won_stage=won)
    except PlanFileError as error:
        raise PlanFileError(
            [
                Problem(source, Location(0, 0, p.location.path), p.code, p.message, p.hints)
                for p in error.problems
            ]
        ) from None


def workspace_records(session: Session) -> list[DealRecord]:
    """Every deal record, kept between calls until the workspace's data changes.

    Loading every deal with its interactions is the slow part of a plan; the web page asks
    for one on every visit. Callers must not change the records (they are shared).
    """
    return workspace_cached(session, "deal_records", lambda: load_deal_records(session))


def _check_inputs(quota: float, currency: str | None, sellers: int | None) -> str | None:
    if not quota > 0 or quota == float("inf"):
        raise InvalidInput(f"must be a positive amount, got {quota:g}", where="quota")
    if sellers is not None and sellers < 1:
        raise InvalidInput(f"must be at least 1, got {sellers}", where="sellers")
    if currency is None:
        return None
    code = currency.strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidInput(
            f"must be a three-letter code like EUR, got {currency!r}", where="currency"
        )
    return code


def _usual_playbook(records: list[DealRecord]) -> str:
    """The playbook most deals run on (ties: alphabetical); the default on an empty workspace."""
    counts = Counter(r.deal.playbook for r in records)
    if not counts:
        return DEFAULT_PLAYBOOK
    return min(counts, key=lambda key: (-counts[key], key))
