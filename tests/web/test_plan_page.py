"""The Plan page: the service's numbers on the page, scope by role, errors beside the form."""

from __future__ import annotations

import html as markup
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from dealgraph.charts import GREEN, RED
from dealgraph.charts.plan import backtest_figure, forecast_figure
from dealgraph.planning.backtest import Backtest, BacktestPeriod
from dealgraph.planning.period import parse_period
from dealgraph.services import plan_view
from dealgraph.services.access import visible_owners
from dealgraph.store.deals import history_fingerprint
from dealgraph.web.pages.plan import display_tree, rate_text
from tests.factories import at
from tests.web.conftest import DEMO_AS_OF, DemoSite, Site

HTML = {"Accept": "text/html"}
LATER = at(200)  # 2026-07-24: the factory deals have closed, two quarters behind it
Q3 = parse_period("2026Q3")


def page(client: Any, url: str, status: int = 200) -> str:
    answer = client.get(url, headers=HTML)
    assert answer.status_code == status, answer.text[:800]
    return str(answer.text)


def by_id(html: str, ident: str) -> str:
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</', html, flags=re.DOTALL)
    assert found is not None, ident
    return markup.unescape(found.group(1)).strip()


def tree_counts(html: str) -> list[tuple[str, int]]:
    """(key, count) of every drawn node of the goal tree, top to bottom."""
    found = re.findall(
        r'data-key="([^"]+)">\s*<div class="goal-node">\s*<div class="goal-head">\s*'
        r'<span class="goal-count">([\d,]+)</span>',
        html,
    )
    return [(key, int(count.replace(",", ""))) for key, count in found]


def error_box(html: str) -> str:
    """The text of the error list beside the form."""
    box = html.split('id="plan-errors"', 1)[1].split("</div>", 1)[0]
    return markup.unescape(re.sub(r"<[^>]+>", " ", box))


def money(value: float) -> str:
    return f"{value:,.0f}"


def overview_for(database: Any, user: Any, **kwargs: Any) -> plan_view.PlanOverview:
    with database.session() as session:
        return plan_view.plan_overview(session, user=user, **kwargs)


def check_page_against(html: str, overview: plan_view.PlanOverview) -> None:
    """Every headline number, tree node, driver and backtest row of the page is the service's."""
    tree, forecast, backtest = overview.goal_tree, overview.forecast, overview.backtest
    assert tree is not None and forecast is not None and backtest is not None
    dist = forecast.distribution
    assert dist.p_quota is not None
    assert by_id(html, "plan-p-quota") == f"{dist.p_quota * 100:.1f}%"
    assert by_id(html, "plan-expected") == money(dist.expected)
    assert forecast.gap is not None and by_id(html, "plan-gap") == money(forecast.gap)
    assert by_id(html, "plan-wins") == f"{tree.wins:,}"
    assert by_id(html, "plan-coverage") == f"{tree.coverage:.2f}×"
    assert by_id(html, "plan-deals") == str(overview.deals)

    def walk(item: Any) -> list[tuple[str, int]]:
        own = [(item.node.key, item.node.count)] if item.node.count is not None else []
        return own + [pair for child in item.children for pair in walk(child)]

    drawn = tree_counts(html)
    assert drawn == walk(display_tree(tree.root))
    assert dict(drawn)["wins"] == tree.wins
    phasing = re.findall(r"<tr class=\"(late)?\"><td>", html)
    assert [row == "late" for row in phasing] == [w.late for w in tree.time_phasing]
    for driver in forecast.drivers:
        assert f'<a href="/deals/{driver.deal_id}">' in html
    assert html.count('<a href="/deals/') == len(forecast.drivers)
    for row in backtest.periods:
        assert f"<td>{row.period.label}</td>" in html
        assert f'<td class="num">{money(row.p50)}</td>' in html


def test_page_shows_the_services_numbers(site: Site) -> None:
    client, _ = site.browser("admin")
    params = {"quota": "100,000", "period": "2026Q3", "trials": "300", "periods": "2"}
    html = page(client, "/plan?" + urlencode({**params, "as_of": LATER.isoformat()}))
    overview = overview_for(
        site.database,
        site.users["admin"],
        period=Q3,
        quota=100_000,
        trials=300,
        periods=2,
        as_of=LATER,
    )
    check_page_against(html, overview)
    assert 'href="/plan" class="active"' in html
    assert '<script type="application/json" id="plan-forecast-data">' in html
    assert 'id="plan-backtest-data"' not in html  # every quarter skipped: nothing to draw
    assert "before the start): 2026Q1, 2026Q2" in html
    assert 'value="100,000"' in html  # the form keeps what was typed


def test_page_links_its_json_twin_with_the_same_figures(site: Site) -> None:
    client, _ = site.browser("admin")
    as_of = LATER.isoformat()
    html = page(
        client, "/plan?" + urlencode({"quota": "100000", "period": "2026Q3", "as_of": as_of})
    )
    twin = re.search(r'class="json-link" href="([^"]+)"', html)
    assert twin is not None
    url = markup.unescape(twin.group(1))
    assert url == "/api/v1/plan?" + urlencode(
        {
            "period": "2026Q3",
            "quota": "100000",
            "periods": 4,
            "as_of": as_of,
            "trials": 10000,
            "seed": 7,
        }
    )
    body = client.get(url).json()
    assert (
        by_id(html, "plan-p-quota") == f"{body['forecast']['distribution']['p_quota'] * 100:.1f}%"
    )
    assert by_id(html, "plan-wins") == str(body["goal_tree"]["wins"])
    for section in ("quota", "forecast", "backtest"):
        assert f'class="json-link small" href="/api/v1/plan/{section}?' in html


@pytest.mark.parametrize(("who", "deals"), [("seller", 2), ("manager", 2), ("admin", 4)])
def test_page_plans_over_the_deals_the_user_may_see(site: Site, who: str, deals: int) -> None:
    client, _ = site.browser(who)
    html = page(client, "/plan?" + urlencode({"period": "2026Q3", "as_of": LATER.isoformat()}))
    assert by_id(html, "plan-deals") == str(deals)
    linked = set(map(int, re.findall(r'<a href="/deals/(\d+)">', html)))
    assert linked == ({site.deal, site.other_deal} if who == "admin" else {site.deal})
    assert "Enter a quota to work back from it" in html  # no quota: no tree, no P(quota)
    assert by_id(html, "plan-p-quota") == "—"


def test_bad_input_is_a_message_beside_the_form_that_keeps_the_values(site: Site) -> None:
    client, _ = site.browser("admin")
    with site.database.session() as session:
        before = history_fingerprint(session)
    bad = {"quota": "lots", "period": "2027Q9", "trials": "ten", "currency": "euro", "as_of": "x"}
    html = page(client, "/plan?" + urlencode(bad), status=422)
    errors = error_box(html)
    for field in ("quota", "period", "trials", "currency", "as_of"):
        assert f" {field} " in errors, field
    assert "'lots' is not an amount" in errors and "cannot read '2027Q9'" in errors
    for name, value in bad.items():
        assert f'name="{name}" value="{value}"' in html
    assert 'id="forecast"' not in html and 'id="goal-tree"' not in html
    too_many = error_box(page(client, "/plan?trials=100001", status=422))
    assert "trials must be 1 to 100,000, got 100001" in too_many
    negative = error_box(page(client, "/plan?quota=-3", status=422))
    assert "must be a positive amount, got -3" in negative
    with site.database.session() as session:
        assert history_fingerprint(session) == before


def test_a_section_without_history_says_why_and_the_others_still_show(site: Site) -> None:
    client, _ = site.browser("other_seller")  # bo.seller: one open deal, nothing closed
    html = page(client, "/plan?" + urlencode({"quota": "10", "as_of": LATER.isoformat()}))
    errors = error_box(html)
    assert "Goal tree:" in errors and "Forecast:" in errors and "Backtest:" not in errors
    assert "no won deals among your deals" in html
    assert "--plan" not in html
    assert "no deal closed before 2026-07-24: there is no history to forecast from" in errors
    assert html.count('class="section-error"') == 2  # the tree's and the forecast's
    assert "No past quarter had enough history before it to be forecast." in html
    assert 'name="quota" value="10"' in html


def test_the_period_defaults_to_the_next_quarter(site: Site) -> None:
    client, _ = site.browser("seller")
    html = page(client, "/plan?as_of=2026-11-23")
    assert 'name="period" value="2027Q1"' in html
    assert "<strong>2027Q1</strong> (2027-01-01 to 2027-03-31)" in html


def test_page_without_session_goes_to_login(site: Site) -> None:
    answer = site.client().get("/plan?quota=5", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/plan%3Fquota%3D5"


def test_the_tree_draws_the_walk_back_through_the_stages_flat(site: Site) -> None:
    with site.database.session() as session:
        tree = plan_view.plan_quota(
            session, user=site.users["admin"], quota=500_000, period=Q3, as_of=at(30)
        )
    drawn = display_tree(tree.root)
    (wins,) = drawn.children
    stages = [item.node.key for item in wins.children]
    # The model nests each stage under the next one; drawn, they are the wins' children,
    # last stage first, and only the first stage keeps its conversations below it.
    assert stages == [f"stage:{c.stage}" for c in reversed(tree.rates.conversions)]
    assert [c.node.key for c in wins.children[-1].children] == ["conversations"]
    assert all(not item.children for item in wins.children[:-1])
    assert rate_text(wins.node, "EUR") == f"{tree.rates.average_deal.value:,.0f} EUR"
    assert rate_text(wins.children[0].node, "EUR") == "100.0%"


def test_the_forecast_figure_marks_p10_p50_p90_and_the_quota(site: Site) -> None:
    with site.database.session() as session:
        forecast = plan_view.plan_forecast(
            session, user=site.users["admin"], period=Q3, quota=60_000, trials=500, as_of=LATER
        )
    figure = forecast_figure(forecast)
    dist = forecast.distribution
    lines = {shape["name"]: shape["x0"] for shape in figure["layout"]["shapes"]}
    assert lines == {"P10": dist.p10, "P50": dist.p50, "P90": dist.p90, "quota": 60_000}
    (bars,) = figure["data"]
    assert bars["y"] == [b.share for b in dist.histogram]
    assert sum(bars["y"]) == pytest.approx(1.0)
    assert bars["marker"]["color"] == [
        GREEN if b.low >= 60_000 else "#5b7fd6" for b in dist.histogram
    ]


def test_the_backtest_figure_colours_each_actual_by_the_band() -> None:
    rows = [
        BacktestPeriod(
            period=parse_period(label),
            open_deals=3,
            history_deals=40,
            expected=100.0,
            p10=50.0,
            p50=100.0,
            p90=170.0,
            actual=actual + 10,
            actual_from_pipeline=actual,
            inside_band=50 <= actual <= 170,
            error=abs(100 - actual) / actual,
        )
        for label, actual in (("2026Q1", 120.0), ("2026Q2", 200.0))
    ]
    result = Backtest(
        currency="EUR",
        trials=10,
        seed=1,
        min_history=30,
        periods=rows,
        skipped=[],
        inside_band_share=0.5,
        mean_absolute_error=0.25,
    )
    band, actual, everything = backtest_figure(result)["data"]
    assert band["error_y"]["array"] == [70.0, 70.0] and band["error_y"]["arrayminus"] == [50.0] * 2
    assert actual["y"] == [120.0, 200.0] and actual["marker"]["color"] == [GREEN, RED]
    assert everything["y"] == [130.0, 210.0]


def test_on_the_demo_the_managers_page_shows_the_teams_plan(demo_site: DemoSite) -> None:
    client = demo_site.browser("manager")
    params = {"quota": "600000", "trials": "2000", "as_of": DEMO_AS_OF.isoformat()}
    html = page(client, "/plan?" + urlencode(params))
    manager = demo_site.user("manager")
    overview = overview_for(
        demo_site.database,
        manager,
        period=parse_period("2027Q1"),
        quota=600_000,
        trials=2000,
        as_of=DEMO_AS_OF,
    )
    check_page_against(html, overview)
    assert '<script type="application/json" id="plan-backtest-data">' in html
    with demo_site.database.session() as session:
        owners = visible_owners(session, user=manager)
    assert owners is not None and overview.forecast is not None
    assert {d.owner for d in overview.forecast.drivers} <= owners
    assert "already late" in html  # the first stage's window closed before 2026-11-23
    assert overview.scope == "team" and "over your team&#39;s deals" in html
