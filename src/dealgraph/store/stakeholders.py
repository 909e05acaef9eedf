"""The buying team of each deal."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dealgraph.core.model import Stakeholder
from dealgraph.store import records, tables
from dealgraph.store.entities import STAKEHOLDER


def create_stakeholder(session: Session, *, stakeholder: Stakeholder) -> Stakeholder:
    """Store a new stakeholder (version 1); returns it with its id."""
    return records.insert(session, STAKEHOLDER, stakeholder)


def get_stakeholder(session: Session, *, stakeholder_id: int) -> Stakeholder:
    """One stakeholder; NotFound when absent."""
    return records.fetch(session, STAKEHOLDER, stakeholder_id)


def list_stakeholders(session: Session, *, deal_id: int) -> list[Stakeholder]:
    """The buying team of one deal, by id."""
    return records.select(session, STAKEHOLDER, where=[tables.stakeholders.c.deal_id == deal_id])


def update_stakeholder(
    session: Session, *, stakeholder: Stakeholder, expected_version: int
) -> Stakeholder:
    """Write a stakeholder if nobody changed it since ``expected_version``; else Conflict."""
    return records.update(session, STAKEHOLDER, stakeholder, expected_version=expected_version)


def delete_stakeholder(session: Session, *, stakeholder_id: int) -> None:
    """Remove a stakeholder (ownerships and participations go with it); NotFound when absent."""
    records.delete(session, STAKEHOLDER, stakeholder_id)
