"""Who sees what: sellers their own deals, managers their team's, admins all."""

from __future__ import annotations

import pytest

from tests.web.conftest import Site, ids


def test_each_role_lists_what_it_may_see(site: Site) -> None:
    open_deal, won_deal, lost_deal = site.workspace.deals
    assert ids(site.client("seller").get("/api/v1/deals")) == [open_deal, won_deal]
    assert ids(site.client("other_seller").get("/api/v1/deals")) == [site.other_deal]
    assert ids(site.client("manager").get("/api/v1/deals")) == [open_deal, won_deal]
    assert ids(site.client("admin").get("/api/v1/deals")) == [
        open_deal,
        won_deal,
        lost_deal,
        site.other_deal,
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/deals/{deal}",
        "/api/v1/deals/{deal}/record",
        "/api/v1/deals/{deal}/gps",
        "/api/v1/deals/{deal}/signals",
        "/api/v1/deals/{deal}/stakeholders",
        "/api/v1/deals/{deal}/decisions",
        "/api/v1/deals/{deal}/interactions",
        "/api/v1/deals/{deal}/evidence",
        "/api/v1/deals/{deal}/plan",
        "/api/v1/deals/{deal}/problems",
        "/api/v1/deals/{deal}/share-links",
        "/api/v1/stakeholders/{ana}",
    ],
)
def test_another_sellers_deal_is_403(site: Site, path: str) -> None:
    url = path.format(deal=site.deal, ana=site.workspace.stakeholders["ana"])
    assert site.client("other_seller").get(url).status_code == 403
    assert site.client("manager").get(url).status_code == 200
    assert site.client("admin").get(url).status_code == 200


def test_writes_on_another_sellers_deal_are_403_and_change_nothing(site: Site) -> None:
    intruder = site.client("other_seller")
    before = site.client("admin").get(f"/api/v1/deals/{site.deal}/record").json()
    version = before["deal"]["version"]
    attempts = [
        intruder.patch(f"/api/v1/deals/{site.deal}", json={"version": version, "value": 1}),
        intruder.post(f"/api/v1/deals/{site.deal}/stakeholders", json={"name": "Mole"}),
        intruder.post(f"/api/v1/deals/{site.deal}/decisions", json={"title": "Sabotage"}),
        intruder.post(f"/api/v1/deals/{site.deal}/plan", json={"title": "Nope"}),
        intruder.post(f"/api/v1/deals/{site.deal}/share-links", json={}),
        intruder.delete(f"/api/v1/stakeholders/{site.workspace.stakeholders['cleo']}"),
        intruder.delete(f"/api/v1/plan/{site.workspace.plan_items[0]}"),
        intruder.delete(f"/api/v1/deals/{site.deal}"),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert site.client("admin").get(f"/api/v1/deals/{site.deal}/record").json() == before


def test_a_seller_cannot_open_or_give_away_deals_beyond_reach(site: Site) -> None:
    seller = site.client("seller")
    made = seller.post(
        "/api/v1/deals", json={"title": "For Bo", "account_name": "Acme", "owner": "bo.seller"}
    )
    assert made.status_code == 403
    version = seller.get(f"/api/v1/deals/{site.deal}").json()["version"]
    given = seller.patch(
        f"/api/v1/deals/{site.deal}", json={"version": version, "owner": "bo.seller"}
    )
    assert given.status_code == 403
    assert seller.get(f"/api/v1/deals/{site.deal}").json()["owner"] == "sam.seller"
    assert site.client("admin").get("/api/v1/deals").json()["count"] == 4


def test_manager_may_reassign_within_the_team_and_admin_anywhere(site: Site) -> None:
    admin = site.client("admin")
    version = admin.get(f"/api/v1/deals/{site.deal}").json()["version"]
    moved = admin.patch(
        f"/api/v1/deals/{site.deal}", json={"version": version, "owner": "bo.seller"}
    )
    assert moved.status_code == 200
    assert site.deal in ids(site.client("other_seller").get("/api/v1/deals"))
    assert site.client("seller").get(f"/api/v1/deals/{site.deal}").status_code == 403


def test_no_credentials_is_401(site: Site) -> None:
    anonymous = site.client()
    answer = anonymous.get("/api/v1/deals")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    bad = anonymous.get("/api/v1/deals", headers={"Authorization": "Bearer dg_nope"})
    assert bad.status_code == 401


def test_admin_only_routes(site: Site) -> None:
    for who in ("seller", "manager"):
        assert site.client(who).get("/api/v1/users").status_code == 403
        assert site.client(who).get("/api/v1/workspace/export").status_code == 403
    users = site.client("admin").get("/api/v1/users").json()
    assert users["count"] == 4
    assert all("password" not in str(user) for user in users["data"])
