"""Buyer share links: created once with their URL, opened without an account, revoked, expired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.web.conftest import Site

# Seller-internal fields that must never reach a buyer.
FORBIDDEN_KEYS = {
    "stance",
    "influence",
    "response_mode",
    "notes",
    "signals",
    "value",
    "summary",
    "loss_reason",
    "seller",
    "evidence",
    "level",
}


def keys_in(document: Any) -> set[str]:
    """Every key at any depth of a JSON document."""
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in keys_in(v)}
    if isinstance(document, list):
        return {k for item in document for k in keys_in(item)}
    return set()


def test_create_open_list_revoke(site: Site) -> None:
    seller = site.client("seller")
    made = seller.post(f"/api/v1/deals/{site.deal}/share-links", json={"days": 3})
    assert made.status_code == 201, made.text
    created = made.json()
    token = created["token"]
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    assert created["url"] == f"http://testserver/share/{token}"

    view = site.client().get(f"/api/v1/share/{token}")
    assert view.status_code == 200
    body = view.json()
    assert body["deal_title"] == "Fleet routing rollout"
    assert body["account_name"] == "Northwind Traders"
    assert not keys_in(body) & FORBIDDEN_KEYS
    assert "Cleo Park" not in view.text  # the opponent's name is seller-internal

    listed = seller.get(f"/api/v1/deals/{site.deal}/share-links").json()
    assert [link["id"] for link in listed["data"]] == [created["link"]["id"]]
    assert token not in str(listed)

    revoked = seller.delete(f"/api/v1/share-links/{created['link']['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert site.client().get(f"/api/v1/share/{token}").status_code == 404


def test_expired_and_unknown_links_are_404(site: Site) -> None:
    from dealgraph.services.share_links import create_share_link

    with site.database.session() as session:
        _, token = create_share_link(
            session,
            user=site.users["seller"],
            deal_id=site.deal,
            days=1,
            as_of=datetime(2020, 1, 1),
        )
    assert site.client().get(f"/api/v1/share/{token}").status_code == 404
    unknown = site.client().get("/api/v1/share/not-a-token")
    assert unknown.status_code == 404
    assert "expired" in unknown.json()["detail"]


def test_days_out_of_range_is_422(site: Site) -> None:
    seller = site.client("seller")
    assert (
        seller.post(f"/api/v1/deals/{site.deal}/share-links", json={"days": 0}).status_code == 422
    )
    listed = seller.get(f"/api/v1/deals/{site.deal}/share-links").json()
    assert listed["count"] == 0


def test_another_seller_cannot_revoke(site: Site) -> None:
    made = site.client("seller").post(f"/api/v1/deals/{site.deal}/share-links").json()
    answer = site.client("other_seller").delete(f"/api/v1/share-links/{made['link']['id']}")
    assert answer.status_code == 403
    assert site.client().get(f"/api/v1/share/{made['token']}").status_code == 200
