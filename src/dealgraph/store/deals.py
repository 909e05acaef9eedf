"""Deals, and loading everything about one deal (or many) for the GPS and the signals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Deal, DealRecord
from dealgraph.errors import NotFound
from dealgraph.store import records, tables
from dealgraph.store.entities import (
    ACCOUNT,
    CLOSE_DATE_CHANGE,
    DEAL,
    DECISION,
    EVIDENCE,
    INTERACTION,
    PLAN_ITEM,
    PROBLEM,
    STAGE_CHANGE,
    STAKEHOLDER,
)
from dealgraph.store.records import Entity

# DealRecord field -> entity of the deal's children.
CHILDREN: tuple[tuple[str, Entity[Any]], ...] = (
    ("stakeholders", STAKEHOLDER),
    ("decisions", DECISION),
    ("interactions", INTERACTION),
    ("evidence", EVIDENCE),
    ("plan", PLAN_ITEM),
    ("stage_changes", STAGE_CHANGE),
    ("close_date_changes", CLOSE_DATE_CHANGE),
    ("problems", PROBLEM),
)


def create_deal(session: Session, *, deal: Deal) -> Deal:
    """Store a new deal (version 1); returns it with its id."""
    return records.insert(session, DEAL, deal)


def get_deal(session: Session, *, deal_id: int) -> Deal:
    """One deal; NotFound when absent."""
    return records.fetch(session, DEAL, deal_id)


def _deal_filters(
    *,
    status: DealStatus | str | None = None,
    owner: str | None = None,
    stage: str | None = None,
    account_id: int | None = None,
) -> list[sa.ColumnElement[bool]]:
    deals = tables.deals
    where: list[sa.ColumnElement[bool]] = []
    if status is not None:
        where.append(deals.c.status == str(status))
    if owner is not None:
        where.append(deals.c.owner == owner)
    if stage is not None:
        where.append(deals.c.stage == stage)
    if account_id is not None:
        where.append(deals.c.account_id == account_id)
    return where


def list_deals(
    session: Session,
    *,
    status: DealStatus | str | None = None,
    owner: str | None = None,
    stage: str | None = None,
    account_id: int | None = None,
) -> list[Deal]:
    """Deals matching every filter given, by id."""
    where = _deal_filters(status=status, owner=owner, stage=stage, account_id=account_id)
    return records.select(session, DEAL, where=where)


def update_deal(session: Session, *, deal: Deal, expected_version: int) -> Deal:
    """Write a deal if nobody changed it since ``expected_version``; else Conflict."""
    return records.update(session, DEAL, deal, expected_version=expected_version)


def delete_deal(session: Session, *, deal_id: int) -> None:
    """Remove a deal and everything on it; NotFound when absent."""
    records.delete(session, DEAL, deal_id)


def load_deal_record(session: Session, *, deal_id: int) -> DealRecord:
    """Everything about one deal; NotFound when absent."""
    found = _load(session, where=[tables.deals.c.id == deal_id])
    if not found:
        raise NotFound("deal", deal_id)
    return found[0]


def load_deal_records(
    session: Session, *, status: DealStatus | str | None = None, owner: str | None = None
) -> list[DealRecord]:
    """Everything about many deals, by deal id, in one query per table (never one per deal)."""
    return _load(session, where=_deal_filters(status=status, owner=owner))


def _load(session: Session, *, where: Sequence[sa.ColumnElement[bool]]) -> list[DealRecord]:
    deals = records.select(session, DEAL, where=where)
    if not deals:
        return []
    chosen = sa.select(tables.deals.c.id).where(*where) if where else None
    children: dict[str, dict[int, list[BaseModel]]] = {}
    for field, entity in CHILDREN:
        child_where = [entity.table.c.deal_id.in_(chosen)] if chosen is not None else []
        by_deal: dict[int, list[BaseModel]] = defaultdict(list)
        for child in records.select(session, entity, where=child_where):
            by_deal[child.deal_id].append(child)
        children[field] = by_deal
    account_ids = {d.account_id for d in deals if d.account_id is not None}
    accounts = {
        a.id: a
        for a in records.select(session, ACCOUNT, where=[tables.accounts.c.id.in_(account_ids)])
    }
    result = []
    for deal in deals:
        assert deal.id is not None
        parts: dict[str, Any] = {field: children[field].get(deal.id, []) for field, _ in CHILDREN}
        result.append(
            DealRecord.model_construct(
                deal=deal,
                account=accounts.get(deal.account_id) if deal.account_id is not None else None,
                **parts,
            )
        )
    return result


def history_fingerprint(session: Session) -> tuple[int, ...]:
    """Cheap numbers that change whenever anything a History is learned from changes.

    Counts, highest ids and (for deals) the sum of versions of the tables behind stage
    durations and play effectiveness: a write to any of them moves at least one number.
    """
    fingerprint: list[int] = []
    for table in (tables.deals, tables.interactions, tables.stage_changes, tables.evidence):
        columns = [sa.func.count(), sa.func.coalesce(sa.func.max(table.c.id), 0)]
        if "version" in table.c:
            columns.append(sa.func.coalesce(sa.func.sum(table.c.version), 0))
        row = session.execute(sa.select(*columns)).one()
        fingerprint.extend(int(value) for value in row)
    return tuple(fingerprint)
