"""Plan a quota from the end: the workspace's history, a plan file, and the goal tree."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.assumptions import resolve_rates
from dealgraph.planning.funnel import GoalTree, build_goal_tree
from dealgraph.planning.plan_file import Period, PlanFile, load_plan_file
from dealgraph.planning.rates import funnel_stages, history_rates
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
) -> GoalTree:
    """The goal tree of ``quota`` over ``period``, from the workspace's deals and a plan file.

    The playbook defaults to the one most deals use; the currency to the one most won deals
    are in; the sellers to the owners active in the workspace. A bad plan file raises
    PlanFileError with every problem located; a missing rate raises InvalidInput naming it.

    Example:
        >>> tree = quota_plan(session, quota=2e6, period=parse_period("2027Q1"))  # doctest: +SKIP
        >>> tree.wins, tree.opportunities  # doctest: +SKIP
        (28, 74)
    """
    moment = as_of or now()
    code = _check_inputs(quota, currency, sellers)
    records = load_deal_records(session)
    playbook = playbook_named(playbook_key or _usual_playbook(records))
    history = history_rates(records, playbook, as_of=moment, currency=code)
    plan = read_plan_file(plan_file, playbook=playbook) if plan_file is not None else PlanFile()
    rates = resolve_rates(history, plan, playbook=playbook, period=period, sellers=sellers)
    return build_goal_tree(quota=quota, period=period, rates=rates, as_of=moment.date())


def read_plan_file(path: str | Path, *, playbook: Playbook) -> PlanFile:
    """A plan file checked against the playbook's stages (``conversion`` keys)."""
    stages, won = funnel_stages(playbook)
    return load_plan_file(path, stages=stages, won_stage=won)


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
