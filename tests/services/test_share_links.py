"""Buyer share links on both databases: random, hashed, expiring, revocable, access-checked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.core.users import User
from dealgraph.errors import Forbidden, InvalidInput, NotFound
from dealgraph.services import deals, plan, share_links
from dealgraph.store import tables
from dealgraph.store import users as user_store
from dealgraph.store.db import Database
from tests.factories import at, make_deal, make_plan_item

GONE = "share link 'unknown, expired or revoked' not found"


def _user(session: Session, name: str, role: UserRole = UserRole.SELLER) -> User:
    user = User(email=f"{name}@example.com", name=name, role=role, created_at=at(0))
    return user_store.create_user(session, user=user, password_hash="unused")


def _setup(session: Session) -> tuple[User, User, int]:
    sam, kim = _user(session, "sam.seller"), _user(session, "kim.seller")
    deal = deals.create_deal(session, deal=make_deal(owner="sam.seller"), account_name="Acme")
    assert deal.id is not None
    plan.add_plan_item(session, deal_id=deal.id, item=make_plan_item())
    return sam, kim, deal.id


def test_link_token_is_random_shown_once_and_stored_hashed(database: Database) -> None:
    with database.session() as session:
        sam, _, deal_id = _setup(session)
        link, token = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(1))
        _, other = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(1))
    assert len(token) >= 43 and token != other  # 32 random bytes, url-safe base64
    assert (link.deal_id, link.created_by, link.created_at) == (deal_id, sam.id, at(1))
    assert link.expires_at == at(1) + timedelta(days=14) and link.revoked_at is None
    with database.session() as session:
        stored = set(session.execute(sa.select(tables.share_links.c.token_hash)).scalars())
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in stored and other not in stored


def test_token_opens_the_buyer_view(session: Session) -> None:
    sam, _, deal_id = _setup(session)
    _, token = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(1))
    view = share_links.buyer_view_for_token(session, token=token, as_of=at(2))
    assert view.deal_title == "Fleet routing rollout" and view.account_name == "Acme"
    assert [item.title for item in view.plan] == ["Share routing data sample"]
    assert view.route and view.route[0].key == view.stage


def test_unknown_expired_and_revoked_links_look_the_same(session: Session) -> None:
    sam, _, deal_id = _setup(session)
    link, token = share_links.create_share_link(
        session, user=sam, deal_id=deal_id, days=3, as_of=at(0)
    )
    share_links.buyer_view_for_token(session, token=token, as_of=at(2.99))
    with pytest.raises(NotFound) as expired:
        share_links.buyer_view_for_token(session, token=token, as_of=at(3))
    with pytest.raises(NotFound) as unknown:
        share_links.buyer_view_for_token(session, token=token[:-1], as_of=at(1))
    assert link.id is not None
    revoked = share_links.revoke_share_link(session, user=sam, link_id=link.id, as_of=at(1))
    assert revoked.revoked_at == at(1)
    with pytest.raises(NotFound) as gone:
        share_links.buyer_view_for_token(session, token=token, as_of=at(1.5))
    assert str(expired.value) == str(unknown.value) == str(gone.value) == GONE


def test_only_users_who_see_the_deal_can_share_it(session: Session) -> None:
    sam, kim, deal_id = _setup(session)
    with pytest.raises(Forbidden):
        share_links.create_share_link(session, user=kim, deal_id=deal_id)
    with pytest.raises(Forbidden):
        share_links.list_share_links(session, user=kim, deal_id=deal_id)
    link, token = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(1))
    assert link.id is not None
    with pytest.raises(Forbidden):
        share_links.revoke_share_link(session, user=kim, link_id=link.id)
    assert share_links.list_share_links(session, user=sam, deal_id=deal_id) == [link]
    share_links.buyer_view_for_token(session, token=token, as_of=at(2))  # still usable
    admin = _user(session, "ada.admin", UserRole.ADMIN)
    assert share_links.list_share_links(session, user=admin, deal_id=deal_id) == [link]
    with pytest.raises(NotFound):
        share_links.create_share_link(session, user=sam, deal_id=4242)
    with pytest.raises(NotFound):
        share_links.revoke_share_link(session, user=sam, link_id=4242)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_lifetime_out_of_range_is_refused(session: Session, days: int) -> None:
    sam, _, deal_id = _setup(session)
    with pytest.raises(InvalidInput, match=rf"between 1 and 365 \(got {days}\)") as caught:
        share_links.create_share_link(session, user=sam, deal_id=deal_id, days=days)
    assert caught.value.where == "days"
    assert share_links.list_share_links(session, user=sam, deal_id=deal_id) == []


def test_default_lifetime_comes_from_settings(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALGRAPH_SHARE_LINK_DAYS", "30")
    sam, _, deal_id = _setup(session)
    link, _ = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(0))
    assert link.expires_at - link.created_at == timedelta(days=30)


def test_revoking_twice_keeps_the_first_time(session: Session) -> None:
    sam, _, deal_id = _setup(session)
    link, _ = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(0))
    assert link.id is not None
    share_links.revoke_share_link(session, user=sam, link_id=link.id, as_of=at(1))
    again = share_links.revoke_share_link(session, user=sam, link_id=link.id, as_of=at(2))
    assert again.revoked_at == at(1)


def test_deleting_the_deal_removes_its_links(session: Session) -> None:
    sam, _, deal_id = _setup(session)
    _, token = share_links.create_share_link(session, user=sam, deal_id=deal_id, as_of=at(0))
    deals.delete_deal(session, deal_id=deal_id)
    count = session.execute(sa.select(sa.func.count()).select_from(tables.share_links))
    assert count.scalar_one() == 0
    with pytest.raises(NotFound, match="unknown, expired or revoked"):
        share_links.buyer_view_for_token(session, token=token, as_of=at(1))
