"""The win model on the web: the deal page's block, its API routes and the forecast's model flag."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape as html_escape

from dealgraph.services.win_model import win_probabilities
from tests.web.conftest import DEMO_AS_OF, DemoSite, Site
from tests.web.test_pages import page


def _open_demo_deal(demo_site: DemoSite) -> int:
    """An open deal of the demo's first seller."""
    answer = demo_site.client("seller").get("/api/v1/deals", params={"status": "open"})
    assert answer.status_code == 200
    return int(answer.json()["data"][0]["id"])


def test_deal_page_says_why_there_is_no_probability_on_a_young_workspace(site: Site) -> None:
    client, _ = site.browser("seller")
    html = page(client, f"/deals/{site.deal}")
    reason = re.search(r'<p class="muted small win-reason">(.*?)</p>', html)
    assert reason is not None
    assert "a win model needs at least 40 closed deals" in reason.group(1)
    assert "data-probability" not in html


def test_win_probability_routes_refuse_what_history_cannot_give(site: Site) -> None:
    client = site.client("seller")
    refused = client.get(f"/api/v1/deals/{site.deal}/win-probability")
    assert refused.status_code == 409
    assert "40 closed deals" in refused.json()["detail"]
    assert client.get(f"/api/v1/deals/{site.other_deal}/win-probability").status_code == 403
    assert client.get("/api/v1/deals/999999/win-probability").status_code == 404
    assert client.get("/api/v1/model").status_code == 404
    assert client.post("/api/v1/model/train").status_code == 403
    assert site.client("manager").post("/api/v1/model/train").status_code == 409
    # Nothing was stored by the refused training.
    assert site.client("admin").get("/api/v1/model").status_code == 404


def test_forecast_with_model_on_a_young_workspace_is_a_conflict(site: Site) -> None:
    client = site.client("seller")
    assert client.get("/api/v1/plan/forecast", params={"model": "true"}).status_code == 409
    overview = client.get("/api/v1/plan", params={"model": "true"}).json()
    assert overview["forecast"] is None and overview["forecast_error"]["where"] == "model"


def test_demo_deal_page_shows_the_models_probability(demo_site: DemoSite) -> None:
    deal_id = _open_demo_deal(demo_site)
    html = page(demo_site.browser("seller"), f"/deals/{deal_id}")
    with demo_site.database.session() as session:
        scored = win_probabilities(session, [deal_id])[deal_id]
    shown = re.search(r'data-probability="([0-9.]+)">([0-9.]+)%', html)
    assert shown is not None
    assert float(shown.group(1)) == scored.probability
    assert shown.group(2) == f"{scored.probability * 100:.1f}"
    for factor in scored.explanation.up[:3] + scored.explanation.down[:3]:
        assert str(html_escape(factor.said)) in html
    assert "win-reason" not in html


def test_demo_win_probability_route_and_model_report(demo_site: DemoSite) -> None:
    deal_id = _open_demo_deal(demo_site)
    answer = demo_site.client("seller").get(f"/api/v1/deals/{deal_id}/win-probability")
    assert answer.status_code == 200
    with demo_site.database.session() as session:
        scored = win_probabilities(session, [deal_id])[deal_id]
    body = answer.json()
    assert body["deal_id"] == deal_id and body["probability"] == scored.probability
    assert body["model_id"] == scored.model_id
    report = demo_site.client("seller").get("/api/v1/model")
    assert report.status_code == 200 and report.json()["id"] == scored.model_id
    assert demo_site.client("seller").post("/api/v1/model/train").status_code == 403


def test_demo_forecast_with_model_uses_the_models_p_win_of_visible_deals(
    demo_site: DemoSite,
) -> None:
    client = demo_site.client("seller")
    params = {"as_of": DEMO_AS_OF.isoformat(), "period": "2027Q1", "trials": 2000}
    forecast = client.get("/api/v1/plan/forecast", params={**params, "model": "true"})
    assert forecast.status_code == 200, forecast.text
    drivers = forecast.json()["drivers"]
    with demo_site.database.session() as session:
        expected = win_probabilities(session, as_of=DEMO_AS_OF)
    seller = demo_site.people["seller"].name
    assert drivers and {d["p_win_source"] for d in drivers} == {"model"}
    for row in drivers:
        assert row["p_win"] == pytest.approx(expected[row["deal_id"]].probability)
    mine = {d["id"] for d in client.get("/api/v1/deals", params={"status": "open"}).json()["data"]}
    assert {row["deal_id"] for row in drivers} <= mine
    assert all(d["owner"] == seller for d in client.get("/api/v1/deals").json()["data"])
    history = client.get("/api/v1/plan/forecast", params=params).json()["drivers"]
    assert {d["p_win_source"] for d in history} == {"history"}
    html = page(demo_site.browser("seller"), "/plan?model=true&trials=2000&period=2027Q1")
    assert 'name="model" value="true" checked' in html
    assert "model=true" in html


def test_manager_trains_a_new_model_on_the_demo(demo_site: DemoSite) -> None:
    before = demo_site.client("admin").get("/api/v1/model")
    trained = demo_site.client("manager").post("/api/v1/model/train")
    assert trained.status_code == 200, trained.text
    report = trained.json()
    assert report["deals_train"] + report["deals_test"] == 190
    if before.status_code == 200:
        assert report["id"] > before.json()["id"]
    assert demo_site.client("admin").get("/api/v1/model").json()["id"] == report["id"]
