"""Accounts: the buying organisations."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dealgraph.core.model import Account
from dealgraph.errors import InvalidInput
from dealgraph.store import accounts as account_store


def create_account(session: Session, *, account: Account) -> Account:
    """Store a new account; returns it with its id."""
    if account.id is not None:
        raise InvalidInput("a new account has no id yet", where="id")
    return account_store.create_account(session, account=account)


def get_account(session: Session, *, account_id: int) -> Account:
    """One account; NotFound when absent."""
    return account_store.get_account(session, account_id=account_id)


def list_accounts(session: Session) -> list[Account]:
    """Every account, by id."""
    return account_store.list_accounts(session)
