"""Buying team and decision graph over the API, cycles refused with the cycle named."""

from __future__ import annotations

from tests.web.conftest import Site


def test_stakeholder_crud_and_reports_to(site: Site) -> None:
    seller = site.client("seller")
    ana = site.workspace.stakeholders["ana"]
    made = seller.post(
        f"/api/v1/deals/{site.deal}/stakeholders",
        json={"name": "Dara Kim", "role": "evaluator", "level": 3, "reports_to": ana},
    )
    assert made.status_code == 201, made.text
    person = made.json()
    assert person["deal_id"] == site.deal and person["reports_to"] == ana
    names = [p["name"] for p in seller.get(f"/api/v1/deals/{site.deal}/stakeholders").json()]
    assert "Dara Kim" in names

    changed = seller.patch(f"/api/v1/stakeholders/{person['id']}", json={"version": 1, "stance": 2})
    assert changed.status_code == 200 and changed.json()["stance"] == 2
    stale = seller.patch(f"/api/v1/stakeholders/{person['id']}", json={"version": 1, "stance": 0})
    assert stale.status_code == 409 and stale.json()["current_version"] == 2

    assert seller.delete(f"/api/v1/stakeholders/{person['id']}").status_code == 204
    assert seller.get(f"/api/v1/stakeholders/{person['id']}").status_code == 404


def test_reports_to_on_another_deal_is_refused(site: Site) -> None:
    seller = site.client("seller")
    dan = site.workspace.stakeholders["dan"]  # on the won deal
    answer = seller.post(
        f"/api/v1/deals/{site.deal}/stakeholders", json={"name": "Lee", "reports_to": dan}
    )
    assert answer.status_code == 422
    assert answer.json()["where"] == "reports_to"


def test_stakeholder_body_validation_is_422(site: Site) -> None:
    answer = site.client("seller").post(
        f"/api/v1/deals/{site.deal}/stakeholders", json={"name": "Lee", "level": 9}
    )
    assert answer.status_code == 422


def test_decision_crud_and_requirements(site: Site) -> None:
    seller = site.client("seller")
    before = seller.get(f"/api/v1/deals/{site.deal}/decisions").json()
    a = seller.post(f"/api/v1/deals/{site.deal}/decisions", json={"title": "Choose pilot"})
    b = seller.post(f"/api/v1/deals/{site.deal}/decisions", json={"title": "Sign contract"})
    assert a.status_code == b.status_code == 201
    a_id, b_id = a.json()["id"], b.json()["id"]
    after = seller.get(f"/api/v1/deals/{site.deal}/decisions").json()
    assert len(after) == len(before) + 2

    linked = seller.post(f"/api/v1/decisions/{b_id}/requires", json={"required_id": a_id})
    assert linked.status_code == 201 and linked.json()["requires"] == [a_id]

    cycle = seller.post(f"/api/v1/decisions/{a_id}/requires", json={"required_id": b_id})
    assert cycle.status_code == 409
    assert set(cycle.json()["cycle"]) >= {"Choose pilot", "Sign contract"}
    assert seller.get(f"/api/v1/decisions/{a_id}").json()["requires"] == []

    via_patch = seller.patch(f"/api/v1/decisions/{a_id}", json={"version": 1, "requires": [b_id]})
    assert via_patch.status_code == 409 and "cycle" in via_patch.json()

    dropped = seller.delete(f"/api/v1/decisions/{b_id}/requires/{a_id}")
    assert dropped.status_code == 200 and dropped.json()["requires"] == []
    assert seller.delete(f"/api/v1/decisions/{b_id}/requires/{a_id}").status_code == 404

    decided = seller.patch(f"/api/v1/decisions/{a_id}", json={"version": 1, "status": "decided"})
    assert decided.status_code == 200 and decided.json()["decided_at"] is not None
    assert seller.delete(f"/api/v1/decisions/{a_id}").status_code == 204
    assert seller.get(f"/api/v1/decisions/{a_id}").status_code == 404


def test_requirement_on_another_deal_is_refused(site: Site) -> None:
    admin = site.client("admin")
    mine = admin.get(f"/api/v1/deals/{site.deal}/decisions").json()[0]["id"]
    theirs = admin.get(f"/api/v1/deals/{site.other_deal}/decisions").json()[0]["id"]
    answer = admin.post(f"/api/v1/decisions/{mine}/requires", json={"required_id": theirs})
    assert answer.status_code in (404, 422)
    assert theirs not in admin.get(f"/api/v1/decisions/{mine}").json()["requires"]
