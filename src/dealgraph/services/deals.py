"""Deal use cases: open a deal on a playbook, change it under optimistic locking, close it."""

from __future__ import annotations

from datetime import datetime

import networkx as nx
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import (
    Account,
    CloseDateChange,
    Deal,
    DealRecord,
    Decision,
    StageChange,
)
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.services.common import check_version, now, playbook_named
from dealgraph.store import accounts as account_store
from dealgraph.store import deals as deal_store
from dealgraph.store import decisions as decision_store
from dealgraph.store import interactions as history_store

CLOSED = frozenset({DealStatus.WON, DealStatus.LOST, DealStatus.NO_DECISION})
WITH_LOSS_REASON = frozenset({DealStatus.LOST, DealStatus.NO_DECISION})


def create_deal(session: Session, *, deal: Deal, account_name: str | None = None) -> Deal:
    """Open a deal on its playbook: decisions from the template, position, first stage change.

    The account is ``deal.account_id`` (must exist) or, given ``account_name``, the account of
    that name, created when there is none.
    """
    if deal.id is not None:
        raise InvalidInput("a new deal has no id yet", where="id")
    playbook = playbook_named(deal.playbook)
    account_id = _account_for(session, deal, account_name)
    _check_status_fields(deal)
    start = playbook.position(set())
    stored = deal_store.create_deal(
        session,
        deal=deal.model_copy(
            update={
                "account_id": account_id,
                "playbook_version": playbook.version,
                "stage": start,
                "stage_entered_at": deal.created_at,
                "closed_at": deal.closed_at if deal.status in CLOSED else None,
            }
        ),
    )
    assert stored.id is not None
    _instantiate_decisions(session, deal_id=stored.id, playbook=playbook)
    history_store.create_stage_change(
        session,
        change=StageChange(deal_id=stored.id, to_stage=start, changed_at=deal.created_at),
    )
    return stored


def _account_for(session: Session, deal: Deal, account_name: str | None) -> int | None:
    if deal.account_id is not None:
        if account_name is not None:
            raise InvalidInput("give an account id or a name, not both", where="account")
        return account_store.get_account(session, account_id=deal.account_id).id
    if account_name is None:
        return None
    if not account_name.strip():
        raise InvalidInput("account name is empty", where="account")
    found = account_store.find_account(session, name=account_name)
    if found is None:
        found = account_store.create_account(session, account=Account(name=account_name))
    return found.id


def _instantiate_decisions(session: Session, *, deal_id: int, playbook: Playbook) -> None:
    templates = {t.key: (index, t) for index, t in enumerate(playbook.decisions)}
    graph = nx.DiGraph()
    graph.add_nodes_from(templates)
    for key, (_, template) in templates.items():
        graph.add_edges_from((required, key) for required in template.requires)
    # Required decisions are stored first so each can name its requirements by id;
    # ties keep the playbook's order.
    order = nx.lexicographical_topological_sort(graph, key=lambda k: templates[k][0])
    ids: dict[str, int] = {}
    for key in order:
        template = templates[key][1]
        stored = decision_store.create_decision(
            session,
            decision=Decision(
                deal_id=deal_id,
                key=template.key,
                title=template.title,
                stage=template.stage,
                requires=[ids[r] for r in template.requires],
                roles=list(template.roles),
                level=template.level,
                expected_days=template.days,
            ),
        )
        assert stored.id is not None
        ids[key] = stored.id


def _check_status_fields(deal: Deal) -> None:
    if deal.loss_reason and deal.status not in WITH_LOSS_REASON:
        raise InvalidInput(
            f"a loss reason is only for lost or no-decision deals (status is {deal.status})",
            where="loss_reason",
        )


def get_deal(session: Session, *, deal_id: int) -> Deal:
    """One deal; NotFound when absent."""
    return deal_store.get_deal(session, deal_id=deal_id)


def get_deal_record(session: Session, *, deal_id: int) -> DealRecord:
    """Everything about one deal (account, team, decisions, history, plan, problems)."""
    return deal_store.load_deal_record(session, deal_id=deal_id)


def list_deals(
    session: Session,
    *,
    status: DealStatus | str | None = None,
    owner: str | None = None,
    stage: str | None = None,
    account_id: int | None = None,
) -> list[Deal]:
    """Deals matching every filter given, by id."""
    if status is not None and status not in {s.value for s in DealStatus}:
        valid = ", ".join(s.value for s in DealStatus)
        raise InvalidInput(f"unknown status {status!r}; valid: {valid}", where="status")
    return deal_store.list_deals(
        session, status=status, owner=owner, stage=stage, account_id=account_id
    )


def update_deal(
    session: Session, *, deal: Deal, expected_version: int, as_of: datetime | None = None
) -> Deal:
    """Save a changed deal if nobody changed it since ``expected_version`` (else Conflict).

    A new expected close date writes a CloseDateChange; closing sets ``closed_at``, reopening
    clears it. The stage follows evidence and the playbook is fixed at creation.
    """
    if deal.id is None:
        raise InvalidInput("the deal has no id", where="id")
    at = as_of or now()
    current = deal_store.get_deal(session, deal_id=deal.id)
    check_version("deal", deal.id, current.version, expected_version)
    if deal.stage != current.stage or deal.stage_entered_at != current.stage_entered_at:
        raise InvalidInput(
            "the stage follows the evidence; log an interaction or record evidence instead",
            where="stage",
        )
    if deal.playbook != current.playbook:
        raise InvalidInput("a deal keeps the playbook it was opened on", where="playbook")
    if deal.account_id is not None and deal.account_id != current.account_id:
        account_store.get_account(session, account_id=deal.account_id)
    _check_status_fields(deal)
    closed_at = deal.closed_at
    if deal.status in CLOSED and closed_at is None:
        closed_at = at
    if deal.status not in CLOSED:
        closed_at = None
    saved = deal_store.update_deal(
        session,
        deal=deal.model_copy(update={"closed_at": closed_at}),
        expected_version=expected_version,
    )
    if deal.expected_close != current.expected_close:
        history_store.create_close_date_change(
            session,
            change=CloseDateChange(
                deal_id=deal.id,
                changed_at=at,
                from_date=current.expected_close,
                to_date=deal.expected_close,
            ),
        )
    return saved


def delete_deal(session: Session, *, deal_id: int) -> None:
    """Remove a deal and everything on it; NotFound when absent."""
    deal_store.delete_deal(session, deal_id=deal_id)
