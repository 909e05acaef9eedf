"""The Patterns page and its API routes: visibility by role, filters, shapes, errors."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dealgraph.analytics.journey import ActivityCount, JourneyEdge, JourneyMap
from dealgraph.analytics.stats import rate
from dealgraph.charts import journey as charts_journey
from dealgraph.charts import patterns as charts_patterns
from dealgraph.core.playbook import get_playbook
from dealgraph.services.patterns_view import (
    ChannelRow,
    ChannelsPanel,
    ConformancePanel,
    JourneyPanel,
    PatternFilters,
    SignalRow,
    SignalsPanel,
)
from tests.web.conftest import Site

HTML = {"Accept": "text/html"}
PANELS = ("journey", "variants", "funnel", "conformance", "channels", "signals", "stalls")
# make_workspace: sam.seller owns two deals, kim.seller (not a user) one; bo.seller owns one.
VISIBLE = {"seller": 2, "other_seller": 1, "manager": 2, "admin": 4}


def page(client: Any, url: str) -> str:
    answer = client.get(url, headers=HTML)
    assert answer.status_code == 200, answer.text[:500]
    return str(answer.text)


def deals_on_page(html: str) -> int:
    found = re.search(r'<span id="patterns-deals">(\d+)</span>', html)
    assert found is not None
    return int(found.group(1))


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_page_counts_only_visible_deals(site: Site, who: str) -> None:
    client, _ = site.browser(who)
    html = page(client, "/patterns")
    assert deals_on_page(html) == VISIBLE[who]
    assert site.client(who).get("/api/v1/patterns").json()["deals"] == VISIBLE[who]
    for name in ("journey", "funnel", "time-in-stage", "variants", "conformance", "channels"):
        assert f'data-figure="patterns-{name}-data"' in html
        assert f'<script type="application/json" id="patterns-{name}-data">' in html
    assert 'href="/patterns" class="active"' in html


def test_seller_never_sees_another_sellers_deal_in_the_patterns(site: Site) -> None:
    body = site.client("seller").get("/api/v1/patterns/stalls").json()
    assert str(site.other_deal) not in {str(row["deal_id"]) for row in body["rows"]}
    overview = site.client("seller").get("/api/v1/patterns").json()
    assert overview["sellers"] == ["sam.seller"]
    everyone = site.client("admin").get("/api/v1/patterns").json()
    assert {"sam.seller", "bo.seller", "kim.seller"} <= set(everyone["sellers"])


def test_page_links_its_json_twin_and_each_panel(site: Site) -> None:
    client, _ = site.browser("admin")
    html = page(client, "/patterns?segment=mid-market&created_from=&seller=")
    assert 'class="json-link" href="/api/v1/patterns?segment=mid-market"' in html
    for name in PANELS:
        assert f'href="/api/v1/patterns/{name}?segment=mid-market"' in html
    plain = page(client, "/patterns")
    assert 'class="json-link" href="/api/v1/patterns"' in plain


def test_filters_narrow_the_deals(site: Site) -> None:
    admin, _ = site.browser("admin")
    assert deals_on_page(page(admin, "/patterns?seller=bo.seller")) == 1
    assert deals_on_page(page(admin, "/patterns?segment=no-such-segment")) == 0
    empty = page(admin, "/patterns?created_to=2000-01-01")
    assert deals_on_page(empty) == 0
    assert "No open deal in scope." in empty
    api = site.client("admin")
    assert api.get("/api/v1/patterns/funnel", params={"seller": "sam.seller"}).json()["deals"] == 2
    period = {"created_from": "2000-01-01", "created_to": "2999-12-31"}
    assert api.get("/api/v1/patterns/variants", params=period).json()["deals"] == 4
    assert api.get("/api/v1/patterns", params={"created_from": "2999-01-01"}).json()["deals"] == 0


def test_api_routes_answer_with_their_documented_shapes(site: Site) -> None:
    api = site.client("admin")
    order = get_playbook("buyer-journey").journey_order
    answers = {name: api.get(f"/api/v1/patterns/{name}") for name in PANELS}
    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(PANELS, 200)
    journey = answers["journey"].json()
    assert journey["level"] == "stages" and journey["stages"] == order
    assert set(journey["journey"]) == {"cases", "events", "edges", "starts", "ends"}
    assert all(e["source"] in order and e["target"] in order for e in journey["journey"]["edges"])
    everything = api.get("/api/v1/patterns/journey", params={"level": "activities"}).json()
    assert everything["journey"]["events"] > journey["journey"]["events"]
    funnel = answers["funnel"].json()
    assert [s["stage"] for s in funnel["stages"]] == order
    assert funnel["stages"][0]["conversion"] is None
    reached = [s["reached"] for s in funnel["stages"]]
    assert reached == sorted(reached, reverse=True) and reached[0] >= 1
    variants = answers["variants"].json()
    assert sum(v["count"] for v in variants["variants"]) == reached[0]
    assert {"activities", "variant", "count", "share", "win_rate"} <= set(variants["variants"][0])
    conformance = answers["conformance"].json()
    assert conformance["conforming_deals"] + conformance["deviating_deals"] == conformance["deals"]
    closed = conformance["conforming"]["trials"] + conformance["deviating"]["trials"]
    assert closed == 2  # the won and the lost deal
    channels = answers["channels"].json()
    assert channels["within_days"] == 30.0
    assert all(0 <= row["advance_share"] <= 1 for row in channels["rows"])
    signals = answers["signals"].json()
    assert signals["closed_deals"] == 2 and signals["base_loss_rate"] == 0.5
    for row in signals["rows"]:
        assert row["low"] <= row["loss_rate"] <= row["high"]
    stalls = answers["stalls"].json()
    assert {row["deal_id"] for row in stalls["rows"]} <= {site.deal, site.other_deal}
    limited = api.get("/api/v1/patterns/variants", params={"top": 1}).json()
    assert len(limited["variants"]) == 1


@pytest.mark.parametrize("name", ["", *(f"/{p}" for p in PANELS)])
def test_api_needs_a_user(site: Site, name: str) -> None:
    assert site.client().get(f"/api/v1/patterns{name}").status_code == 401


def test_page_without_session_goes_to_login(site: Site) -> None:
    answer = site.client().get("/patterns", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/patterns"


def test_another_sellers_patterns_are_forbidden(site: Site) -> None:
    answer = site.client("seller").get("/api/v1/patterns/funnel", params={"seller": "bo.seller"})
    assert answer.status_code == 403
    assert "bo.seller" in answer.json()["detail"]
    client, _ = site.browser("seller")
    assert client.get("/patterns?seller=bo.seller", headers=HTML).status_code == 403
    manager = site.client("manager").get("/api/v1/patterns", params={"seller": "sam.seller"})
    assert manager.status_code == 200 and manager.json()["deals"] == 2


def test_bad_filters_are_refused_naming_the_field(site: Site) -> None:
    api = site.client("admin")
    backwards = {"created_from": "2026-02-01", "created_to": "2026-01-01"}
    answer = api.get("/api/v1/patterns/journey", params=backwards)
    assert answer.status_code == 422 and answer.json()["where"] == "created_from"
    unknown = api.get("/api/v1/patterns/funnel", params={"playbook": "nope"})
    assert unknown.status_code == 422 and unknown.json()["where"] == "playbook"
    client, _ = site.browser("admin")
    bad_day = client.get("/patterns?created_from=tomorrow", headers=HTML)
    assert bad_day.status_code == 422 and "is not a date" in bad_day.text


def test_pattern_filters_give_their_query() -> None:
    assert PatternFilters(seller="ann", segment=None).query() == {"seller": "ann"}


def _journey_panel() -> JourneyPanel:
    edges = [
        JourneyEdge(
            source="a", target="b", count=10, median_seconds=86_400, mean_seconds=1, p90_seconds=1
        ),
        JourneyEdge(
            source="b", target="a", count=2, median_seconds=864_000, mean_seconds=1, p90_seconds=1
        ),
        JourneyEdge(
            source="b", target="play_x", count=5, median_seconds=0, mean_seconds=0, p90_seconds=0
        ),
        JourneyEdge(
            source="b", target="b", count=3, median_seconds=0, mean_seconds=0, p90_seconds=0
        ),
    ]
    journey = JourneyMap(
        cases=10, events=30, edges=edges, starts=[ActivityCount(activity="a", count=10)]
    )
    return JourneyPanel(
        deals=10,
        level="activities",
        stages=["a", "b", "c"],
        anchors={"play_x": "c"},
        total_edges=4,
        journey=journey,
    )


def test_journey_figure_widths_follow_counts_and_colours_follow_time() -> None:
    panel = _journey_panel()
    positions = charts_journey.journey_layout(panel)
    assert positions["a"] == (0.0, 0.0) and positions["c"] == (2.0, 0.0)
    assert positions["play_x"] == (2.0, -1.0)  # under the stage it is designed for
    figure = charts_journey.journey_figure(panel)
    arrows = figure["layout"]["annotations"]
    assert len(arrows) == 3  # the self-loop b -> b is not drawn as an arrow
    widths = [a["arrowwidth"] for a in arrows]
    assert widths[0] > widths[2] > widths[1]
    assert arrows[1]["arrowcolor"] == charts_journey.TIME_SCALE[-1][1]  # the slowest edge
    assert arrows[2]["arrowcolor"] == charts_journey.TIME_SCALE[0][1]  # the fastest
    assert arrows[1]["ay"] < 0  # a backward move bends below the row


def test_time_colour_interpolates() -> None:
    assert charts_journey.time_colour(0) == "#23864f"
    assert charts_journey.time_colour(1) == "#c0392b"
    assert charts_journey.time_colour(0.5) == "#e39b2d"
    assert charts_journey.time_colour(7) == "#c0392b"


def test_interval_charts_carry_wilson_error_bars() -> None:
    panel = ConformancePanel(
        deals=10,
        conforming_deals=6,
        deviating_deals=4,
        conforming=rate(4, 5),
        deviating=rate(1, 4),
        least_conforming=[],
    )
    trace = charts_patterns.conformance_figure(panel)["data"][0]
    assert trace["x"] == [0.8, 0.25]
    assert trace["error_x"]["array"][0] == pytest.approx(rate(4, 5).high - 0.8)
    assert trace["error_x"]["arrayminus"][1] == pytest.approx(0.25 - rate(1, 4).low)
    signals = SignalsPanel(
        closed_deals=4,
        base_loss_rate=0.5,
        rows=[
            SignalRow(
                signal="s",
                title="S",
                deals=2,
                losses=2,
                loss_rate=1.0,
                base_loss_rate=0.5,
                lift=2.0,
                low=0.34,
                high=1.0,
            )
        ],
    )
    figure = charts_patterns.signal_lift_figure(signals)
    assert figure["layout"]["shapes"][0]["x0"] == 0.5
    assert figure["data"][0]["marker"]["color"] == ["#c0392b"]


def test_channel_heatmap_is_channel_by_stage_in_journey_order() -> None:
    def row(stage: str, index: int, channel: str, share: float) -> ChannelRow:
        return ChannelRow(
            stage=stage,
            title=stage.upper(),
            stage_index=index,
            channel=channel,
            interactions=4,
            advanced=int(share * 4),
            advance_share=share,
            median_days_to_advance=None,
        )

    panel = ChannelsPanel(
        within_days=30, rows=[row("b", 1, "email", 0.5), row("a", 0, "phone", 0.25)]
    )
    trace = charts_patterns.channel_heatmap_figure(panel, [("a", "A"), ("b", "B"), ("c", "C")])
    trace = trace["data"][0]
    assert trace["x"] == ["A", "B"] and trace["y"] == ["email", "phone"]
    assert trace["z"] == [[None, 0.5], [0.25, None]]
