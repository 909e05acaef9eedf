"""Offerings: what the seller brings to answer a buyer's problem."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dealgraph.core.model import Offering
from dealgraph.errors import Conflict, InvalidInput
from dealgraph.store import accounts as offering_store


def create_offering(session: Session, *, offering: Offering) -> Offering:
    """Store a new offering; its key must be unused (else Conflict)."""
    if offering.id is not None:
        raise InvalidInput("a new offering has no id yet", where="id")
    if offering_store.find_offering(session, key=offering.key) is not None:
        raise Conflict(f"an offering with key {offering.key!r} already exists")
    return offering_store.create_offering(session, offering=offering)


def get_offering(session: Session, *, offering_id: int) -> Offering:
    """One offering; NotFound when absent."""
    return offering_store.get_offering(session, offering_id=offering_id)


def list_offerings(session: Session) -> list[Offering]:
    """Every offering, by id."""
    return offering_store.list_offerings(session)
