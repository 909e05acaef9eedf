"""The Simulate page on both databases: the service's numbers, forms, errors, the fitted file."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from dealgraph.planning.scenario_load import SCENARIO_DIR, load_scenario_text
from dealgraph.services import simulation
from dealgraph.store.deals import history_fingerprint
from tests.web.conftest import Site

HTML = {"Accept": "text/html"}
PAIR = "a=buyer-journey&b=buyer-journey-more-meetings"
SMALL = 20_000
BAD_YAML = """extends: buyer-journey.yaml
title: Pigeons <b>first</b>
stages:
  define_problem:
    mix: {carrier_pigeon: 2}
    advance: -0.1
"""
GOOD_YAML = """extends: buyer-journey.yaml
title: Faster discovery
stages:
  define_problem: {advance: 0.9}
"""


def get(client: Any, url: str, status: int = 200) -> str:
    answer = client.get(url, headers=HTML)
    assert answer.status_code == status, answer.text[:800]
    assert answer.headers["content-type"].startswith("text/html")
    return str(answer.text)


def post(client: Any, token: str, status: int, **fields: Any) -> str:
    files = fields.pop("files", None)
    data = {"csrf_token": token, "deals": str(SMALL), "seed": "1", **fields}
    answer = client.post("/simulate", data=data, files=files, headers=HTML)
    assert answer.status_code == status, answer.text[:800]
    return str(answer.text)


def row_cells(page: str, metric: str) -> list[str]:
    found = re.search(rf'<tr data-metric="{metric}">(.*?)</tr>', page)
    assert found is not None, metric
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(?:<span[^>]*>)?(.*?)<", found[1])]


def figure_data(page: str, name: str) -> dict[str, Any]:
    found = re.search(
        rf'<script type="application/json" id="simulate-{name}-data">(.*?)</script>', page
    )
    assert found is not None
    data: dict[str, Any] = json.loads(found[1])
    return data


def fingerprint(site: Site) -> tuple[int, ...]:
    with site.database.session() as session:
        return history_fingerprint(session)


def test_anonymous_is_sent_to_login(site: Site) -> None:
    for url in ("/simulate", f"/simulate?{PAIR}", "/simulate/fitted.yaml"):
        answer = site.client().get(url, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login?next=" + quote(url, safe="/")
    assert site.client().post("/simulate", data={}, headers=HTML).status_code in (303, 403)


def test_the_form_offers_shipped_fitted_and_yaml_designs(site: Site) -> None:
    client, _ = site.browser("manager")
    page = get(client, "/simulate")
    assert 'href="/simulate" class="active"' in page
    assert '<option value="buyer-journey" selected>' in page  # A
    assert '<option value="buyer-journey-more-meetings" selected>' in page  # B
    assert "Fitted from the deals of team north" in page
    assert 'href="/simulate/fitted.yaml"' in page
    assert 'id="simulate-result"' not in page
    assert 'class="json-link" href="/api/v1/scenarios"' in page


def test_a_link_runs_two_shipped_designs_with_the_services_numbers(site: Site) -> None:
    client, _ = site.browser("seller")
    page = get(client, f"/simulate?{PAIR}&deals={SMALL}&seed=4")
    report = simulation.simulate_designs(
        simulation.load_design("buyer-journey"),
        simulation.load_design("buyer-journey-more-meetings"),
        deals=SMALL,
        seed=4,
    )
    assert report.comparison is not None and report.b is not None
    rows = {row.metric: row for row in report.comparison}
    win = rows["win_rate"]
    assert row_cells(page, "win_rate") == [
        "win rate",
        f"{report.a.simulated.win_rate:.1%}",
        f"{report.b.simulated.win_rate:.1%}",
        f"{win.difference * 100:+.1f} pp" if win.difference is not None else "",
        f"{win.low * 100:+.1f} to {win.high * 100:+.1f} pp" if win.low and win.high else "",
        "yes" if win.significant else "no",
    ]
    cost = rows["cost_per_win"]
    assert row_cells(page, "cost_per_win")[:4] == [
        "cost per win (USD)",
        f"{report.a.simulated.cost_per_win:,.0f}",
        f"{report.b.simulated.cost_per_win:,.0f}",
        f"{cost.difference:+,.0f}",
    ]
    p90 = rows["cycle_p90_won"]
    assert row_cells(page, "cycle_p90_won")[1:3] == [f"{p90.a:,.1f}", f"{p90.b:,.1f}"]
    assert set(rows) == set(re.findall(r'<tr data-metric="(\w+)">', page))
    # the closed form beside the Monte Carlo: won / lost / no decision of each design
    closed = page.split('id="closed-form"')[1]
    for design in (report.a, report.b):
        assert f"{design.closed_form.win_rate:.1%}" in closed
        assert f"{design.closed_form.no_decision_rate:.1%}" in closed
    verdict = re.search(r'<p class="verdict" id="verdict">(.*?)</p>', page)
    assert verdict is not None
    assert verdict[1].startswith(f"B wins {abs(win.difference or 0) * 100:.1f} points")
    # the charts: histograms as shares of each design's wins, cost per win by channel
    cycle = figure_data(page, "cycle")
    for trace, design in zip(cycle["data"], (report.a, report.b), strict=True):
        histogram = design.won_cycle_days
        assert sum(trace["y"]) == pytest.approx(
            (design.simulated.won - histogram.beyond) / design.simulated.won
        )
    cost_chart = figure_data(page, "cost")
    for trace, design in zip(cost_chart["data"], (report.a, report.b), strict=True):
        assert sum(trace["y"]) == pytest.approx(design.simulated.cost_per_win)
    # the JSON twin and a link that repeats the run
    twin = html.escape(f"/api/v1/simulate?{PAIR}&deals={SMALL}&seed=4")
    assert f'class="json-link" href="{twin}"' in page
    assert 'id="permalink"' in page


def test_one_design_shows_monte_carlo_beside_the_closed_form(site: Site) -> None:
    client, _ = site.browser("seller")
    page = get(client, f"/simulate?a=buyer-journey&deals={SMALL}")
    report = simulation.simulate_designs(
        simulation.load_design("buyer-journey"), deals=SMALL, seed=1
    )
    single = page.split('id="single"')[1].split("</table>")[0]
    win = f'<td>win rate</td><td class="num">{report.a.simulated.win_rate:.1%}</td>'
    assert win + f'<td class="num">{report.a.closed_form.win_rate:.1%}</td>' in single
    assert 'id="verdict"' not in page
    assert 'id="comparison"' not in page


def test_bad_yaml_shows_every_located_problem_and_keeps_the_text(site: Site) -> None:
    client, token = site.browser("seller")
    before = fingerprint(site)
    page = post(client, token, 422, a="buyer-journey", b="yaml", b_yaml=BAD_YAML)
    table = page.split('id="problems-table"')[1].split("</table>")[0]
    rows = re.findall(
        r"<tr><td>(.*?)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", table
    )
    assert rows == [("design B", "5", "11"), ("design B", "6", "14")]
    assert "unknown channel `carrier_pigeon`" in table
    assert "2 problem(s) in scenario" in page
    # the text comes back, escaped, and B stays on "pasted YAML"
    assert html.escape(BAD_YAML, quote=False) in page
    assert "<b>first</b>" not in page
    assert '<option value="yaml" selected>' in page.split('id="design-b"')[1]
    assert 'id="simulate-result"' not in page
    assert fingerprint(site) == before


def test_an_uploaded_file_is_a_design_named_after_it(site: Site) -> None:
    client, token = site.browser("seller")
    page = post(
        client,
        token,
        200,
        a="buyer-journey",
        b="",
        files={"b_file": ("faster.yaml", GOOD_YAML.encode(), "application/yaml")},
    )
    assert '<strong>Faster discovery</strong> <span class="muted small">faster.yaml' in page
    assert html.escape(GOOD_YAML, quote=False) in page  # kept in the form to edit again
    assert 'id="permalink"' not in page  # YAML cannot travel in a link
    assert '"yaml": "extends: buyer-journey.yaml' in html.unescape(page)  # the API call


def test_the_post_form_checks_csrf_and_runs_nothing_without_it(site: Site) -> None:
    client, token = site.browser("seller")
    data = {"a": "buyer-journey", "deals": str(SMALL), "seed": "1"}
    refused = client.post("/simulate", data=data, headers=HTML)
    assert refused.status_code == 403
    assert 'id="simulate-result"' not in refused.text
    wrong = client.post("/simulate", data={**data, "csrf_token": token + "x"}, headers=HTML)
    assert wrong.status_code == 403
    assert 'id="simulate-result"' in post(client, token, 200, a="buyer-journey")


def test_deals_out_of_range_is_refused_naming_deals(site: Site) -> None:
    client, token = site.browser("seller")
    page = post(client, token, 422, a="buyer-journey", deals="999")
    assert "deals: must be from 1,000 to 500,000, got 999" in page
    assert 'name="deals" value="999"' in page
    assert "deals: &#39;lots&#39; is not a whole number" in get(
        client, "/simulate?a=buyer-journey&deals=lots", 422
    )
    page = post(client, token, 422, a="yaml", a_yaml="  ")
    assert "design A: paste a scenario or choose a YAML file" in page
    assert "unknown scenario &#39;nope&#39;" in get(client, "/simulate?a=nope", 422)


def test_the_fitted_scenario_downloads_and_comes_back_as_a_design(site: Site) -> None:
    client, token = site.browser("seller")
    answer = client.get("/simulate/fitted.yaml")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (
        'attachment; filename="fitted-buyer-journey.yaml"'
    )
    text = answer.text
    assert text.startswith("# Fitted by the Simulate page (over your own deals) from 2 deals")
    with site.database.session() as session:
        fit = simulation.fit_workspace(session, playbook_key="buyer-journey", owners={"sam.seller"})
    loaded = load_scenario_text(text, base_dir=SCENARIO_DIR)
    for key, spec in fit.scenario.stages.items():
        assert loaded.stages[key].advance == pytest.approx(spec.advance, abs=1e-4)
    page = post(client, token, 200, a="fitted", b="yaml", b_yaml=text, b_name="mine.yaml")
    assert "fitted:buyer-journey" in page and "mine.yaml" in page
    nothing, _ = site.browser("other_seller")
    refused = nothing.get("/simulate/fitted.yaml", headers=HTML)
    assert refused.status_code == 422
    assert "nothing to fit" in refused.text
