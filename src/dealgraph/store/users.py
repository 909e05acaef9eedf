"""Users, API tokens and share links: rows without their secrets, secrets by explicit call.

Password and token hashes live in columns the records do not carry. Reads select the
record's own columns only, so a hash can never ride along into an API response; the hash
is read or written through the functions named for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from dealgraph.core.users import ApiToken, ShareLink, User, normalize_email
from dealgraph.errors import Conflict, NotFound
from dealgraph.store import tables

M = TypeVar("M", bound=BaseModel)


def _select(
    session: Session,
    model: type[M],
    table: sa.Table,
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
    order_by: Sequence[str] = ("id",),
) -> list[M]:
    columns = [table.c[name] for name in model.model_fields]
    query = sa.select(*columns).where(*where).order_by(*(table.c[name] for name in order_by))
    return [model.model_validate(dict(row)) for row in session.execute(query).mappings()]


def _one(session: Session, model: type[M], table: sa.Table, kind: str, record_id: int) -> M:
    found = _select(session, model, table, where=[table.c.id == record_id])
    if not found:
        raise NotFound(kind, record_id)
    return found[0]


def _insert(session: Session, table: sa.Table, record: BaseModel, **secret: Any) -> int:
    row = record.model_dump(exclude={"id"}) | secret
    new_id: int = session.execute(sa.insert(table).values(row).returning(table.c.id)).scalar_one()
    return new_id


# -- users -------------------------------------------------------------------------------


def create_user(session: Session, *, user: User, password_hash: str) -> User:
    """Store a new user (version 1) with its password hash; returns it with its id."""
    fresh = user.model_copy(update={"version": 1})
    new_id = _insert(session, tables.users, fresh, password_hash=password_hash)
    return user.model_copy(update={"id": new_id, "version": 1})


def get_user(session: Session, *, user_id: int) -> User:
    """One user; NotFound when absent."""
    return _one(session, User, tables.users, "user", user_id)


def find_user_by_email(session: Session, *, email: str) -> User | None:
    """The user with this email (compared lower case), or None."""
    found = _select(
        session, User, tables.users, where=[tables.users.c.email == normalize_email(email)]
    )
    return found[0] if found else None


def find_user_by_name(session: Session, *, name: str) -> User | None:
    """The user with exactly this name, or None."""
    found = _select(session, User, tables.users, where=[tables.users.c.name == name])
    return found[0] if found else None


def list_users(session: Session) -> list[User]:
    """Every user, by id."""
    return _select(session, User, tables.users)


def user_teams(session: Session) -> dict[str, str]:
    """Each user's name mapped to their team ("" when none): the input of the access rule."""
    users = tables.users
    rows = session.execute(sa.select(users.c.name, users.c.team))
    return {str(row.name): str(row.team) for row in rows}


def password_hash_of(session: Session, *, user_id: int) -> str:
    """The stored password hash of a user; NotFound when absent."""
    found = session.execute(
        sa.select(tables.users.c.password_hash).where(tables.users.c.id == user_id)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("user", user_id)
    return str(found)


def set_password_hash(session: Session, *, user_id: int, password_hash: str) -> None:
    """Replace a user's password hash (the version is unchanged: it is not a profile edit)."""
    result = session.execute(
        sa.update(tables.users)
        .where(tables.users.c.id == user_id)
        .values(password_hash=password_hash)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("user", user_id)


def update_user(session: Session, *, user: User, expected_version: int) -> User:
    """Write a user's fields if nobody changed it since ``expected_version``; else Conflict."""
    if user.id is None:
        raise NotFound("user", None)
    users = tables.users
    row = user.model_dump(exclude={"id", "version", "created_at"})
    result = session.execute(
        sa.update(users)
        .where(users.c.id == user.id, users.c.version == expected_version)
        .values(**row, version=expected_version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        current = get_user(session, user_id=user.id).version
        raise Conflict(
            f"user {user.id} was changed by someone else "
            f"(version {current}, expected {expected_version}); reload and try again",
            current_version=current,
        )
    return user.model_copy(update={"version": expected_version + 1})


# -- API tokens --------------------------------------------------------------------------


def create_api_token(session: Session, *, token: ApiToken, token_hash: str) -> ApiToken:
    """Store a new API token by the hash of its secret; returns it with its id."""
    new_id = _insert(session, tables.api_tokens, token, token_hash=token_hash)
    return token.model_copy(update={"id": new_id})


def get_api_token(session: Session, *, token_id: int) -> ApiToken:
    """One API token; NotFound when absent."""
    return _one(session, ApiToken, tables.api_tokens, "API token", token_id)


def find_api_token(session: Session, *, token_hash: str) -> tuple[ApiToken, str] | None:
    """The token stored under this hash, with the stored hash, or None."""
    table = tables.api_tokens
    found = _select(session, ApiToken, table, where=[table.c.token_hash == token_hash])
    if not found:
        return None
    stored = session.execute(
        sa.select(table.c.token_hash).where(table.c.id == found[0].id)
    ).scalar_one()
    return found[0], str(stored)


def list_api_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    """A user's API tokens (revoked ones included), by id."""
    table = tables.api_tokens
    return _select(session, ApiToken, table, where=[table.c.user_id == user_id])


def touch_api_token(session: Session, *, token_id: int, at: datetime) -> None:
    """Record that a token was just used."""
    table = tables.api_tokens
    session.execute(sa.update(table).where(table.c.id == token_id).values(last_used_at=at))


def revoke_api_token(session: Session, *, token_id: int, at: datetime) -> ApiToken:
    """Mark a token revoked (kept for the record; revoking twice keeps the first time)."""
    token = get_api_token(session, token_id=token_id)
    if token.revoked_at is not None:
        return token
    table = tables.api_tokens
    session.execute(sa.update(table).where(table.c.id == token_id).values(revoked_at=at))
    return token.model_copy(update={"revoked_at": at})


# -- share links -------------------------------------------------------------------------


def create_share_link(session: Session, *, link: ShareLink, token_hash: str) -> ShareLink:
    """Store a new share link by the hash of its token; returns it with its id."""
    new_id = _insert(session, tables.share_links, link, token_hash=token_hash)
    return link.model_copy(update={"id": new_id})


def get_share_link(session: Session, *, link_id: int) -> ShareLink:
    """One share link; NotFound when absent."""
    return _one(session, ShareLink, tables.share_links, "share link", link_id)


def find_share_link(session: Session, *, token_hash: str) -> tuple[ShareLink, str] | None:
    """The link stored under this hash, with the stored hash, or None."""
    table = tables.share_links
    found = _select(session, ShareLink, table, where=[table.c.token_hash == token_hash])
    if not found:
        return None
    stored = session.execute(
        sa.select(table.c.token_hash).where(table.c.id == found[0].id)
    ).scalar_one()
    return found[0], str(stored)


def list_share_links(session: Session, *, deal_id: int) -> list[ShareLink]:
    """A deal's share links (revoked and expired ones included), by id."""
    table = tables.share_links
    return _select(session, ShareLink, table, where=[table.c.deal_id == deal_id])


def revoke_share_link(session: Session, *, link_id: int, at: datetime) -> ShareLink:
    """Mark a link revoked (revoking twice keeps the first time)."""
    link = get_share_link(session, link_id=link_id)
    if link.revoked_at is not None:
        return link
    table = tables.share_links
    session.execute(sa.update(table).where(table.c.id == link_id).values(revoked_at=at))
    return link.model_copy(update={"revoked_at": at})
