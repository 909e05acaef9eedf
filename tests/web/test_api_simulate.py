"""The simulation API on both databases: scenarios, the fitted model per role, simulate, errors."""

from __future__ import annotations

from typing import Any

import pytest

from dealgraph.planning.markov import build_chain, closed_form
from dealgraph.planning.scenario_load import (
    SCENARIO_DIR,
    ScenarioError,
    load_scenario,
    load_scenario_text,
)
from dealgraph.services import simulation
from dealgraph.services.common import playbook_named
from dealgraph.store.deals import history_fingerprint
from tests.web.conftest import Site

PAIR = {"a": {"scenario": "buyer-journey"}, "b": {"scenario": "buyer-journey-more-meetings"}}
SMALL = 20_000
# A change to the shipped baseline with three problems: the stage's changed probabilities
# sum past 1 (line 3), one of them is above 1 (line 4), and a channel is unknown (line 5).
BAD_YAML = """extends: buyer-journey.yaml
stages:
  define_problem:
    advance: 1.5
    mix: {carrier_pigeon: 2}
"""
REDESIGN = """extends: buyer-journey.yaml
title: Faster discovery
stages:
  define_problem: {advance: 0.9}
"""


def fingerprint(site: Site) -> tuple[int, ...]:
    """Numbers that move when anything behind a fit changes (deals, interactions ...)."""
    with site.database.session() as session:
        return history_fingerprint(session)


def expected_report(deals: int, seed: int) -> dict[str, Any]:
    """The service's own report for the two shipped designs, as JSON."""
    report = simulation.simulate_designs(
        simulation.load_design("buyer-journey"),
        simulation.load_design("buyer-journey-more-meetings"),
        deals=deals,
        seed=seed,
    )
    return report.model_dump(mode="json")


def test_shipped_scenarios_are_listed_for_any_user(site: Site) -> None:
    assert site.client().get("/api/v1/scenarios").status_code == 401
    body = site.client("other_seller").get("/api/v1/scenarios").json()
    assert [row["name"] for row in body] == ["buyer-journey", "buyer-journey-more-meetings"]
    for row in body:
        scenario = load_scenario(SCENARIO_DIR / f"{row['name']}.yaml")
        assert (row["title"], row["playbook"]) == (scenario.title, scenario.playbook)
        assert row["description"] == " ".join((scenario.description or "").split())


def test_two_shipped_designs_give_the_services_numbers(site: Site) -> None:
    answer = site.client("seller").post(
        "/api/v1/simulate", json={**PAIR, "deals": SMALL, "seed": 4}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    verdict = body.pop("verdict")
    assert body == expected_report(SMALL, 4)
    # the closed form of the shipped baseline, as `dealgraph simulate` prints it
    assert body["a"]["closed_form"]["win_rate"] == pytest.approx(0.27378, abs=1e-5)
    win = next(row for row in body["comparison"] if row["metric"] == "win_rate")
    direction = "more" if win["difference"] >= 0 else "fewer"
    assert verdict.startswith(f"B wins {abs(win['difference']) * 100:.1f} points {direction} deals")
    cost = next(row for row in body["comparison"] if row["metric"] == "cost_per_win")
    assert f"{abs(cost['difference']):,.0f} USD" in verdict
    # the link form (the page's JSON twin) answers the same
    twin = site.client("seller").get(
        "/api/v1/simulate",
        params={
            "a": "buyer-journey",
            "b": "buyer-journey-more-meetings",
            "deals": SMALL,
            "seed": 4,
        },
    )
    assert twin.json() == {**body, "verdict": verdict}


def test_won_cycle_histograms_share_their_bins_and_count_every_win(site: Site) -> None:
    body = site.client("seller").post("/api/v1/simulate", json={**PAIR, "deals": SMALL}).json()
    a, b = body["a"], body["b"]
    assert a["won_cycle_days"]["edges"] == b["won_cycle_days"]["edges"]
    for design in (a, b):
        histogram = design["won_cycle_days"]
        assert sum(histogram["counts"]) + histogram["beyond"] == design["simulated"]["won"]
        assert len(histogram["counts"]) == len(histogram["edges"]) - 1
        # bins reach the 99.5th percentile of each design: at most half a percent is beyond
        assert histogram["beyond"] <= 0.005 * design["simulated"]["won"] + 1


def test_one_design_alone_has_no_comparison(site: Site) -> None:
    body = site.client("seller").post(
        "/api/v1/simulate", json={"a": {"scenario": "buyer-journey"}, "deals": SMALL}
    )
    assert body.status_code == 200
    report = body.json()
    assert (report["b"], report["comparison"], report["verdict"]) == (None, None, None)
    assert report["seed"] == 1 and report["deals"] == SMALL


def test_pasted_yaml_extends_a_shipped_scenario(site: Site) -> None:
    body = (
        site.client("seller")
        .post(
            "/api/v1/simulate",
            json={"a": {"yaml": REDESIGN, "name": "faster.yaml"}, "deals": SMALL},
        )
        .json()
    )
    assert (body["a"]["name"], body["a"]["title"]) == ("faster.yaml", "Faster discovery")
    scenario = load_scenario_text(REDESIGN, base_dir=SCENARIO_DIR)
    exact = closed_form(build_chain(scenario, playbook_named("buyer-journey")))
    assert body["a"]["closed_form"]["win_rate"] == pytest.approx(exact.win_rate, rel=1e-12)


def test_bad_yaml_is_422_with_every_problem_located_and_nothing_stored(site: Site) -> None:
    before = fingerprint(site)
    answer = site.client("seller").post(
        "/api/v1/simulate",
        json={"a": {"scenario": "buyer-journey"}, "b": {"yaml": BAD_YAML}, "deals": SMALL},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] == "3 problem(s) in scenario"
    located = [(p["file"], p["line"], p["column"], p["code"]) for p in body["problems"]]
    assert located == [
        ("design B", 3, 3, "probability-sum"),
        ("design B", 4, 14, "wrong-value"),
        ("design B", 5, 11, "unknown-channel"),
    ]
    # the same problems the loader finds in the same text
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(BAD_YAML, file="design B", base_dir=SCENARIO_DIR)
    assert body["problems"] == [p.to_dict() for p in caught.value.problems]
    assert fingerprint(site) == before


def test_problems_of_both_designs_come_together(site: Site) -> None:
    answer = site.client("seller").post(
        "/api/v1/simulate",
        json={"a": {"yaml": "title: [unclosed\n"}, "b": {"yaml": BAD_YAML}, "deals": SMALL},
    )
    assert answer.status_code == 422
    files = [p["file"] for p in answer.json()["problems"]]
    assert files == ["design A"] + ["design B"] * 3
    assert answer.json()["problems"][0]["code"] == "yaml-syntax"


def test_extends_may_not_reach_outside_the_shipped_scenarios(site: Site) -> None:
    answer = site.client("admin").post(
        "/api/v1/simulate", json={"a": {"yaml": "extends: ../playbooks/buyer-journey.yaml\n"}}
    )
    assert answer.status_code == 422
    [problem] = answer.json()["problems"]
    assert (problem["line"], problem["column"], problem["code"]) == (1, 10, "unknown-reference")
    assert "only name a shipped scenario" in problem["message"]
    missing = site.client("admin").post(
        "/api/v1/simulate", json={"a": {"yaml": "extends: nope.yaml\n"}}
    )
    [problem] = missing.json()["problems"]
    assert problem["message"] == "`extends`: no scenario file at 'nope.yaml'"
    assert str(SCENARIO_DIR) not in missing.text


def test_deals_out_of_range_is_422_naming_deals(site: Site) -> None:
    client = site.client("seller")
    for deals in (999, 500_001, 0):
        answer = client.post("/api/v1/simulate", json={**PAIR, "deals": deals})
        assert answer.status_code == 422
        assert [e["loc"] for e in answer.json()["detail"]] == [["body", "deals"]]
        twin = client.get("/api/v1/simulate", params={"a": "buyer-journey", "deals": deals})
        assert twin.status_code == 422
        assert [e["loc"] for e in twin.json()["detail"]] == [["query", "deals"]]
    seed = client.post("/api/v1/simulate", json={**PAIR, "seed": -1})
    assert [e["loc"] for e in seed.json()["detail"]] == [["body", "seed"]]


def test_a_design_is_exactly_one_thing(site: Site) -> None:
    client = site.client("seller")
    for choice in (
        {},
        {"scenario": "buyer-journey", "fitted": True},
        {"scenario": "buyer-journey", "playbook": "buyer-journey"},
        {"scenario": "buyer-journey", "colour": "blue"},
    ):
        answer = client.post("/api/v1/simulate", json={"a": choice})
        assert answer.status_code == 422, choice
        assert answer.json()["detail"][0]["loc"][:2] == ["body", "a"]


def test_only_shipped_scenario_keys_are_opened(site: Site) -> None:
    for name in ("no-such-design", "/etc/hostname", "../scenarios/buyer-journey"):
        answer = site.client("seller").post(
            "/api/v1/simulate", json={"a": {"scenario": "buyer-journey"}, "b": {"scenario": name}}
        )
        assert answer.status_code == 422
        assert answer.json()["where"] == "b.scenario"
        assert answer.json()["detail"].startswith(f"unknown scenario {name!r}")


# sam.seller owns the open and the won deal; the manager sees the team's (sam's) deals;
# the admin sees those, kim.seller's lost deal and bo.seller's open one.
FITTED = {"seller": (2, 1), "manager": (2, 1), "admin": (4, 2)}
OWNERS = {"seller": ["sam.seller"], "manager": ["mia.manager", "sam.seller"], "admin": None}


@pytest.mark.parametrize("who", sorted(FITTED))
def test_the_fitted_model_learns_from_the_deals_the_user_may_see(site: Site, who: str) -> None:
    body = site.client(who).get("/api/v1/scenarios/fitted").json()
    assert (body["report"]["deals"], body["report"]["closed"]) == FITTED[who]
    assert body["playbook"] == "buyer-journey"
    assert body["owners"] == OWNERS[who]
    again = load_scenario_text(body["yaml"])
    assert again.stages.keys() == body["scenario"]["stages"].keys()
    for key, spec in again.stages.items():
        assert spec.advance == pytest.approx(body["scenario"]["stages"][key]["advance"], abs=1e-4)
    with site.database.session() as session:
        owners = OWNERS[who]
        fit = simulation.fit_workspace(
            session, playbook_key="buyer-journey", owners=None if owners is None else set(owners)
        )
    assert body["scenario"] == fit.scenario.model_dump(mode="json")
    run = (
        site.client(who)
        .post("/api/v1/simulate", json={"a": {"fitted": True}, "deals": 2_000})
        .json()
    )
    assert run["a"]["name"] == "fitted:buyer-journey"
    exact = closed_form(build_chain(fit.scenario, playbook_named("buyer-journey")))
    assert run["a"]["closed_form"]["win_rate"] == pytest.approx(exact.win_rate, rel=1e-12)


def test_nothing_to_fit_is_422_located_or_named(site: Site) -> None:
    client = site.client("other_seller")  # one open deal that never left its first stage
    fitted = client.get("/api/v1/scenarios/fitted")
    assert fitted.status_code == 422
    assert "nothing to fit" in fitted.json()["detail"]
    chosen = client.post(
        "/api/v1/simulate", json={"a": {"scenario": "buyer-journey"}, "b": {"fitted": True}}
    )
    assert (chosen.status_code, chosen.json()["where"]) == (422, "b.fitted")
    based = client.post(
        "/api/v1/simulate",
        json={"a": {"yaml": "base: fitted\nplaybook: buyer-journey\ntitle: Mine\n"}},
    )
    [problem] = based.json()["problems"]
    assert (problem["line"], problem["code"]) == (1, "no-workspace")
    unknown = site.client("admin").get("/api/v1/scenarios/fitted", params={"playbook": "nope"})
    assert (unknown.status_code, unknown.json()["where"]) == (422, "playbook")


def test_cookie_post_needs_its_csrf_token(site: Site) -> None:
    client, token = site.browser("seller")
    body = {"a": {"scenario": "buyer-journey"}, "deals": 2_000}
    assert client.post("/api/v1/simulate", json=body).status_code == 403
    answer = client.post("/api/v1/simulate", json=body, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    assert site.client().post("/api/v1/simulate", json=body).status_code == 401


def test_openapi_describes_the_simulation_models(site: Site) -> None:
    document = site.client().get("/api/v1/openapi.json").json()
    post = document["paths"]["/api/v1/simulate"]["post"]
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SimulationOutcome"
    }
    schemas = document["components"]["schemas"]
    assert {"verdict", "a", "b", "comparison", "deals", "seed"} <= set(
        schemas["SimulationOutcome"]["properties"]
    )
    assert {"scenario", "yaml", "fitted", "playbook", "name"} == set(
        schemas["DesignChoice"]["properties"]
    )
    deals = schemas["SimulationRequest"]["properties"]["deals"]
    assert (deals["minimum"], deals["maximum"]) == (1_000, 500_000)
    assert "won_cycle_days" in schemas["DesignResult"]["properties"]
