"""Buyer share links: a random token opens a read-only, buyer-safe view of one deal.

The token has 256 random bits, is shown once, and only its sha256 is stored. A link
expires (``DEALGRAPH_SHARE_LINK_DAYS`` by default) and can be revoked; an unknown,
expired or revoked token gets the same NotFound, so a guess learns nothing.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dealgraph.core.buyer_view import BuyerView, buyer_view
from dealgraph.core.users import ShareLink, User
from dealgraph.errors import InvalidInput, NotFound
from dealgraph.services.access import require_deal_access
from dealgraph.services.common import now, playbook_named
from dealgraph.services.users import hash_secret
from dealgraph.settings import Settings
from dealgraph.store import deals as deal_store
from dealgraph.store import users as user_store

MAX_DAYS = 365
UNUSABLE = "unknown, expired or revoked"


def create_share_link(
    session: Session,
    *,
    user: User,
    deal_id: int,
    days: int | None = None,
    as_of: datetime | None = None,
) -> tuple[ShareLink, str]:
    """A new link to one deal the user may see, and its token (shown once, stored hashed).

    ``days`` defaults to the ``share_link_days`` setting; 1 to 365.
    """
    require_deal_access(session, user=user, deal_id=deal_id)
    if user.id is None:
        raise InvalidInput("the user is not stored", where="user")
    lifetime = days if days is not None else Settings().share_link_days
    if not 1 <= lifetime <= MAX_DAYS:
        raise InvalidInput(f"must be between 1 and {MAX_DAYS} (got {lifetime})", where="days")
    created = as_of or now()
    token = secrets.token_urlsafe(32)
    link = user_store.create_share_link(
        session,
        link=ShareLink(
            deal_id=deal_id,
            created_by=user.id,
            created_at=created,
            expires_at=created + timedelta(days=lifetime),
        ),
        token_hash=hash_secret(token),
    )
    return link, token


def list_share_links(session: Session, *, user: User, deal_id: int) -> list[ShareLink]:
    """Every link of a deal the user may see (revoked and expired ones included), by id."""
    require_deal_access(session, user=user, deal_id=deal_id)
    return user_store.list_share_links(session, deal_id=deal_id)


def revoke_share_link(
    session: Session, *, user: User, link_id: int, as_of: datetime | None = None
) -> ShareLink:
    """Revoke a link of a deal the user may see; it stops working at once."""
    link = user_store.get_share_link(session, link_id=link_id)
    require_deal_access(session, user=user, deal_id=link.deal_id)
    return user_store.revoke_share_link(session, link_id=link_id, at=as_of or now())


def share_link_for_token(
    session: Session, *, token: str, as_of: datetime | None = None
) -> ShareLink:
    """The usable link a token opens; NotFound when unknown, expired or revoked."""
    digest = hash_secret(token)
    found = user_store.find_share_link(session, token_hash=digest)
    if found is None or not hmac.compare_digest(found[1], digest):
        raise NotFound("share link", UNUSABLE)
    link = found[0]
    if not link.usable_at(as_of or now()):
        raise NotFound("share link", UNUSABLE)
    return link


def buyer_view_for_token(
    session: Session, *, token: str, as_of: datetime | None = None
) -> BuyerView:
    """The buyer-safe view of the deal a usable token opens; NotFound otherwise."""
    link = share_link_for_token(session, token=token, as_of=as_of)
    record = deal_store.load_deal_record(session, deal_id=link.deal_id)
    return buyer_view(record, playbook_named(record.deal.playbook))
