"""Accounts (buying organisations) and offerings (what the seller sells)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dealgraph.core.model import Account, Offering
from dealgraph.store import records, tables
from dealgraph.store.entities import ACCOUNT, OFFERING


def create_account(session: Session, *, account: Account) -> Account:
    """Store a new account; returns it with its id."""
    return records.insert(session, ACCOUNT, account)


def get_account(session: Session, *, account_id: int) -> Account:
    """One account; NotFound when absent."""
    return records.fetch(session, ACCOUNT, account_id)


def find_account(session: Session, *, name: str) -> Account | None:
    """The account with exactly this name (the oldest if several), or None."""
    found = records.select(session, ACCOUNT, where=[tables.accounts.c.name == name])
    return found[0] if found else None


def list_accounts(session: Session) -> list[Account]:
    """Every account, by id."""
    return records.select(session, ACCOUNT)


def update_account(session: Session, *, account: Account) -> Account:
    """Write an account's fields; NotFound when absent."""
    return records.update(session, ACCOUNT, account)


def create_offering(session: Session, *, offering: Offering) -> Offering:
    """Store a new offering; returns it with its id."""
    return records.insert(session, OFFERING, offering)


def get_offering(session: Session, *, offering_id: int) -> Offering:
    """One offering; NotFound when absent."""
    return records.fetch(session, OFFERING, offering_id)


def find_offering(session: Session, *, key: str) -> Offering | None:
    """The offering with this key, or None."""
    found = records.select(session, OFFERING, where=[tables.offerings.c.key == key])
    return found[0] if found else None


def list_offerings(session: Session) -> list[Offering]:
    """Every offering, by id."""
    return records.select(session, OFFERING)


def offering_ids(session: Session) -> set[int]:
    """Ids of every offering."""
    return set(session.execute(sa.select(tables.offerings.c.id)).scalars())
