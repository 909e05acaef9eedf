"""Interactions, evidence, mutual plan and problem map over the API."""

from __future__ import annotations

from tests.factories import play_for, playbook
from tests.web.conftest import Site


def test_logging_evidence_moves_the_stage(site: Site) -> None:
    seller = site.client("seller")
    gps = seller.get(f"/api/v1/deals/{site.deal}/gps").json()
    missing = [c["key"] for c in gps["missing_criteria"]]
    assert missing
    answer = seller.post(
        f"/api/v1/deals/{site.deal}/interactions",
        json={
            "occurred_at": "2026-02-01T10:00:00",
            "channel": "field",
            "play": play_for(playbook(), missing[0]),
            "participants": [site.workspace.stakeholders["ana"]],
            "outcome": "advanced",
            "evidence": missing,
            "summary": "workshop",
        },
    )
    assert answer.status_code == 201, answer.text
    logged = answer.json()
    assert logged["interaction"]["seller"] == "sam.seller"
    assert {e["criterion"] for e in logged["evidence"]} == set(missing)
    assert logged["stage_change"]["from_stage"] == gps["stage"]
    assert logged["deal"]["stage"] == logged["stage_change"]["to_stage"] != gps["stage"]
    after = seller.get(f"/api/v1/deals/{site.deal}/gps").json()
    assert after["stage"] == logged["deal"]["stage"]
    timeline = seller.get(f"/api/v1/deals/{site.deal}/interactions").json()
    assert timeline[-1]["id"] == logged["interaction"]["id"]
    one = seller.get(f"/api/v1/interactions/{logged['interaction']['id']}")
    assert one.status_code == 200 and one.json()["summary"] == "workshop"


def test_unknown_evidence_key_is_422_and_nothing_is_logged(site: Site) -> None:
    seller = site.client("seller")
    before = seller.get(f"/api/v1/deals/{site.deal}/interactions").json()
    answer = seller.post(
        f"/api/v1/deals/{site.deal}/interactions",
        json={"occurred_at": "2026-02-01T10:00:00", "channel": "email", "evidence": ["nope"]},
    )
    assert answer.status_code == 422
    assert answer.json()["where"]
    assert seller.get(f"/api/v1/deals/{site.deal}/interactions").json() == before


def test_record_evidence_is_idempotent(site: Site) -> None:
    seller = site.client("seller")
    missing = seller.get(f"/api/v1/deals/{site.deal}/gps").json()["missing_criteria"]
    key = missing[0]["key"]
    first = seller.post(f"/api/v1/deals/{site.deal}/evidence", json={"criterion": key})
    assert first.status_code == 201 and first.json()["created"] is True
    again = seller.post(f"/api/v1/deals/{site.deal}/evidence", json={"criterion": key})
    assert again.json()["created"] is False
    keys = [e["criterion"] for e in seller.get(f"/api/v1/deals/{site.deal}/evidence").json()]
    assert keys.count(key) == 1


def test_plan_items(site: Site) -> None:
    seller = site.client("seller")
    made = seller.post(
        f"/api/v1/deals/{site.deal}/plan",
        json={"title": "Security review", "side": "buyer", "owner": "Ana", "due": "2026-04-01"},
    )
    assert made.status_code == 201, made.text
    item = made.json()
    done = seller.patch(f"/api/v1/plan/{item['id']}", json={"done": True})
    assert done.status_code == 200
    assert done.json()["done"] is True and done.json()["done_at"] is not None
    first = site.workspace.plan_items[0]
    cycle = seller.patch(
        f"/api/v1/plan/{first}", json={"depends_on": [site.workspace.plan_items[2]]}
    )
    assert cycle.status_code == 409 and cycle.json()["cycle"]
    assert seller.delete(f"/api/v1/plan/{item['id']}").status_code == 204
    titles = [p["title"] for p in seller.get(f"/api/v1/deals/{site.deal}/plan").json()]
    assert "Security review" not in titles


def test_problems(site: Site) -> None:
    seller = site.client("seller")
    made = seller.post(
        f"/api/v1/deals/{site.deal}/problems",
        json={
            "kind": "goal",
            "statement": "same-day delivery in two regions",
            "confirmed_by": site.workspace.stakeholders["ben"],
        },
    )
    assert made.status_code == 201, made.text
    problem = made.json()
    assert problem["confirmed_at"] is not None
    changed = seller.patch(f"/api/v1/problems/{problem['id']}", json={"kind": "obstacle"})
    assert changed.status_code == 200 and changed.json()["kind"] == "obstacle"
    bad = seller.patch(f"/api/v1/problems/{problem['id']}", json={"decisions": [99999]})
    assert bad.status_code in (404, 422)
    assert seller.delete(f"/api/v1/problems/{problem['id']}").status_code == 204
    listed = seller.get(f"/api/v1/deals/{site.deal}/problems").json()
    assert problem["id"] not in [p["id"] for p in listed]
