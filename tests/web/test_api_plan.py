"""The planning API: goal tree, forecast, backtest and overview over the deals you may see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dealgraph.planning.period import parse_period
from dealgraph.services.forecast import backtest_quarters, forecast_period
from dealgraph.services.quota import quota_plan
from dealgraph.store.deals import history_fingerprint
from tests.factories import at
from tests.web.conftest import DEMO_AS_OF, DemoSite, Site

AS_OF = at(30).isoformat()
Q1 = parse_period("2027Q1")
Q2 = parse_period("2026Q2")
# make_workspace: sam.seller owns an open and a won deal, kim.seller (not a user) a lost one;
# bo.seller owns one open deal. The manager's team is sam.seller's.
OWNERS = {
    "seller": {"sam.seller"},
    "other_seller": {"bo.seller"},
    "manager": {"sam.seller", "mia.manager"},
    "admin": None,
}
ROUTES = ("", "/quota?quota=10", "/forecast", "/backtest")


def as_json(model: Any) -> Any:
    return json.loads(model.model_dump_json())


def without_notes(tree: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in tree.items() if key != "notes"}


@pytest.mark.parametrize("who", ["seller", "manager", "admin"])
def test_quota_is_the_services_tree_over_the_users_deals(site: Site, who: str) -> None:
    answer = site.client(who).get(
        "/api/v1/plan/quota", params={"quota": 500_000, "period": "2027Q1", "as_of": AS_OF}
    )
    assert answer.status_code == 200, answer.text
    with site.database.session() as session:
        expected = quota_plan(session, quota=500_000, period=Q1, as_of=at(30), owners=OWNERS[who])
    assert without_notes(answer.json()) == without_notes(as_json(expected))
    # sam.seller's own history is one won deal; with kim.seller's loss the rate halves.
    assert answer.json()["win_rate"] == (0.5 if who == "admin" else 1.0)


@pytest.mark.parametrize("who", sorted(OWNERS))
def test_forecast_counts_only_the_users_deals(site: Site, who: str) -> None:
    params = {"period": "2026Q2", "trials": 400, "seed": 5, "as_of": AS_OF, "quota": 50_000}
    answer = site.client(who).get("/api/v1/plan/forecast", params=params)
    if who == "other_seller":
        # bo.seller has closed nothing: no history of theirs to forecast from.
        assert answer.status_code == 422 and answer.json()["where"] == "as_of"
        return
    assert answer.status_code == 200, answer.text
    with site.database.session() as session:
        expected = forecast_period(
            session,
            period=Q2,
            quota=50_000,
            trials=400,
            seed=5,
            as_of=at(30),
            owners=OWNERS[who],
        )
    assert answer.json() == as_json(expected)
    drivers = {row["deal_id"] for row in answer.json()["drivers"]}
    everyone = {site.deal, site.other_deal}
    assert drivers == (everyone if who == "admin" else {site.deal})


def test_backtest_is_the_services_over_the_users_deals(site: Site) -> None:
    params = {"periods": 2, "trials": 200, "as_of": at(200).isoformat()}
    answer = site.client("seller").get("/api/v1/plan/backtest", params=params)
    assert answer.status_code == 200, answer.text
    with site.database.session() as session:
        expected = backtest_quarters(
            session, periods=2, trials=200, as_of=at(200), owners={"sam.seller"}
        )
    assert answer.json() == as_json(expected)
    assert answer.json()["skipped"] == ["2026Q1", "2026Q2"]  # too little history before


def test_overview_gives_every_section_in_one_currency(site: Site) -> None:
    later = at(200).isoformat()  # 2026-07-24: two quarters of (thin) history behind it
    params = {"quota": 100_000, "period": "2026Q3", "trials": 300, "periods": 2, "as_of": later}
    body = site.client("admin").get("/api/v1/plan", params=params).json()
    assert body["scope"] == "all" and body["deals"] == 4
    assert body["goal_tree"]["currency"] == body["forecast"]["currency"] == body["currency"]
    assert body["forecast"]["distribution"]["quota"] == 100_000
    assert body["backtest_error"] is None and body["backtest"]["skipped"]
    mine = site.client("seller").get("/api/v1/plan", params=params).json()
    assert mine["scope"] == "own" and mine["deals"] == 2
    theirs = site.client("other_seller").get("/api/v1/plan", params=params).json()
    assert theirs["goal_tree"] is None and theirs["forecast"] is None
    assert theirs["goal_tree_error"]["where"] == "average_deal"
    assert "among your deals" in theirs["goal_tree_error"]["detail"]
    assert "--plan" not in json.dumps(theirs)


def test_overrides_in_the_body_replace_the_history(site: Site, tmp_path: Path) -> None:
    params = {"quota": 500_000, "period": "2027Q1", "as_of": AS_OF, "sellers": 3}
    body = {"average_deal": 50_000, "conversion": {"question_status_quo": 0.4}, "sellers": 9}
    answer = site.client("admin").post("/api/v1/plan/quota", params=params, json=body)
    assert answer.status_code == 200, answer.text
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "average_deal: 50000\nconversion:\n  question_status_quo: 0.4\nsellers: 9\n",
        encoding="utf-8",
    )
    with site.database.session() as session:
        from_file = quota_plan(
            session, quota=500_000, period=Q1, as_of=at(30), plan_file=plan, sellers=3
        )
    assert without_notes(answer.json()) == without_notes(as_json(from_file))
    tree = answer.json()
    # 500,000 / 50,000 = 10 wins; the later stages all converted (1.0): 10 reach the second
    # stage; 10 / 0.4 = 25 opportunities. The query's sellers win over the body's.
    assert (tree["wins"], tree["opportunities"], tree["sellers"]) == (10, 25, 3)
    assert tree["rates"]["average_deal"]["source"] == "plan file"
    empty = site.client("admin").post("/api/v1/plan/quota", params=params)
    assert empty.status_code == 200 and empty.json()["rates"]["average_deal"]["source"] == "history"


def test_bad_overrides_are_422_with_every_problem_by_path_and_change_nothing(site: Site) -> None:
    with site.database.session() as session:
        before = history_fingerprint(session)
    body = {"win_rate": 22, "conversion": {"qualify": 0.5}, "sellr": 2}
    answer = site.client("admin").post(
        "/api/v1/plan/quota", params={"quota": 10, "as_of": AS_OF}, json=body
    )
    assert answer.status_code == 422
    reply = answer.json()
    assert reply["detail"] == "3 problem(s) in plan file"
    found = {tuple(p["path"]): p for p in reply["problems"]}
    assert set(found) == {("win_rate",), ("conversion", "qualify"), ("sellr",)}
    assert "write 22 % as 0.22" in found[("win_rate",)]["message"]
    assert found[("conversion", "qualify")]["code"] == "unknown-reference"
    assert "did you mean `sellers`?" in found[("sellr",)]["message"]
    assert {p["file"] for p in reply["problems"]} == {"request body"}
    not_an_object = site.client("admin").post(
        "/api/v1/plan/quota", params={"quota": 10}, json=[0.2]
    )
    assert not_an_object.status_code == 422
    with site.database.session() as session:
        assert history_fingerprint(session) == before


BAD_QUERIES: list[tuple[str, dict[str, Any], str]] = [
    ("/quota", {"quota": -5}, "quota"),
    ("/quota", {}, "quota"),
    ("/quota", {"quota": 10, "period": "2027Q5"}, "period"),
    ("/quota", {"quota": 10, "period": "2027-02-01..2027-01-01"}, "period"),
    ("/quota", {"quota": 10, "currency": "EURO"}, "currency"),
    ("/quota", {"quota": 10, "playbook": "nope"}, "playbook"),
    ("/quota", {"quota": 10, "sellers": 0}, "sellers"),
    ("/forecast", {"trials": 0}, "trials"),
    ("/forecast", {"trials": 100_001}, "trials"),
    ("/forecast", {"currency": "JPY", "as_of": AS_OF}, "currency"),
    ("/forecast", {"as_of": "yesterday"}, "as_of"),
    ("/backtest", {"periods": 41}, "periods"),
    ("", {"quota": "lots"}, "quota"),
]


def test_bad_query_is_422_naming_the_field(site: Site) -> None:
    api = site.client("admin")
    for route, params, where in BAD_QUERIES:
        answer = api.get(f"/api/v1/plan{route}", params=params)
        assert answer.status_code == 422, (route, params, answer.text)
        reply = answer.json()
        if isinstance(reply["detail"], list):  # FastAPI's own check of the query's types
            assert [item["loc"] for item in reply["detail"]] == [["query", where]], params
        else:
            assert reply["where"] == where, params


def test_every_route_needs_a_user(site: Site) -> None:
    anonymous = site.client()
    for route in ROUTES:
        assert anonymous.get(f"/api/v1/plan{route}").status_code == 401, route
    assert anonymous.post("/api/v1/plan/quota?quota=10", json={}).status_code == 401


def test_a_cookie_post_needs_its_csrf_token(site: Site) -> None:
    client, csrf = site.browser("admin")
    url = f"/api/v1/plan/quota?quota=500000&as_of={AS_OF}"
    assert client.post(url, json={}).status_code == 403
    assert client.post(url, json={}, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_openapi_documents_the_routes_their_answers_and_the_body(site: Site) -> None:
    document = site.client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in ("/api/v1/plan", "/api/v1/plan/quota", "/api/v1/plan/forecast"):
        assert "get" in paths[path]
    assert "post" in paths["/api/v1/plan/quota"] and "get" in paths["/api/v1/plan/backtest"]
    schemas = document["components"]["schemas"]
    assert {"GoalTree", "GoalNode", "Forecast", "Backtest", "PlanOverview"} <= set(schemas)
    ok = paths["/api/v1/plan/forecast"]["get"]["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/Forecast"}
    body = paths["/api/v1/plan/quota"]["post"]["requestBody"]["content"]["application/json"]
    assert {"win_rate", "average_deal", "conversion", "sellers", "weeks"} <= set(
        body["schema"]["properties"]
    )
    assert body["schema"]["additionalProperties"] is False


def test_on_the_demo_a_managers_plan_is_the_teams(demo_site: DemoSite) -> None:
    params = {"quota": 600_000, "period": "2027Q1", "trials": 2000, "as_of": DEMO_AS_OF}
    team = demo_site.client("manager").get("/api/v1/plan", params=params).json()
    everyone = demo_site.client("admin").get("/api/v1/plan", params=params).json()
    mine = demo_site.client("seller").get("/api/v1/plan", params=params).json()
    assert mine["deals"] < team["deals"] < everyone["deals"] == 300
    manager = demo_site.user("manager")
    with demo_site.database.session() as session:
        from dealgraph.services.access import visible_owners

        owners = visible_owners(session, user=manager)
        expected = forecast_period(
            session,
            period=Q1,
            quota=600_000,
            trials=2000,
            as_of=DEMO_AS_OF,
            currency=team["currency"],
            owners=owners,
        )
    assert team["forecast"] == as_json(expected)
    assert owners is not None and {d["owner"] for d in team["forecast"]["drivers"]} <= owners
    assert team["forecast"]["open_deals"] < everyone["forecast"]["open_deals"]
    dist = team["forecast"]["distribution"]
    assert dist["p10"] <= dist["p50"] <= dist["p90"]
    assert abs(dist["mc_mean"] - dist["expected"]) <= 4 * dist["standard_error"]
