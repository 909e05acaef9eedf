"""Figures only the files draw: the funnel report (two charts in one) and the stalls bars."""

from __future__ import annotations

from dealgraph.charts import AMBER, NODE_COLOUR, RED
from dealgraph.charts.patterns import (
    funnel_figure,
    funnel_report_figure,
    stalls_figure,
    time_in_stage_figure,
)
from dealgraph.services.patterns_view import FunnelPanel, FunnelStage


def _funnel() -> FunnelPanel:
    stages = [
        FunnelStage(stage="a", title="Ask", stage_index=0, reached=10, conversion=None,
                    visits=9, median_days=2.0, p90_days=5.0),
        FunnelStage(stage="b", title="Buy", stage_index=1, reached=4, conversion=0.4,
                    visits=3, median_days=1.5, p90_days=3.0),
    ]  # fmt: skip
    return FunnelPanel(deals=10, stages=stages)


def test_funnel_report_stacks_the_two_page_charts() -> None:
    panel = _funnel()
    figure = funnel_report_figure(panel)
    reach, median, p90 = figure["data"]
    # The page's funnel trace, kept out of the legend the bars below use.
    assert reach == {**funnel_figure(panel)["data"][0], "showlegend": False}
    assert (reach["x"], reach["y"]) == ([10, 4], ["Ask", "Buy"])
    page_bars = time_in_stage_figure(panel)["data"]
    assert median == {**page_bars[0], "xaxis": "x2", "yaxis": "y2"}
    assert (median["y"], p90["y"]) == ([2.0, 1.5], [5.0, 3.0])
    layout = figure["layout"]
    assert layout["height"] == 340 + 300 + 60
    top, bottom = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert bottom[1] < top[0]  # the time in stage sits below the funnel, not over it
    assert layout["yaxis2"]["anchor"] == "x2" and layout["xaxis2"]["anchor"] == "y2"


def test_stalls_bars_longest_on_top_coloured_against_the_stage_history() -> None:
    rows = [
        {"case": "7", "stage": "b", "days_in_stage": 9.0, "median_days": 2.0, "p90_days": 4.0},
        {"case": "3", "stage": "a", "days_in_stage": 3.0, "median_days": 2.0, "p90_days": 4.0},
        {"case": "5", "stage": "a", "days_in_stage": 1.0, "median_days": None, "p90_days": None},
    ]
    figure = stalls_figure(rows, {"a": "Ask"})
    bars, medians, p90s = figure["data"]
    # plotly draws the first category at the bottom: the list is reversed.
    assert bars["y"] == ["5 · Ask", "3 · Ask", "7 · b"]
    assert bars["x"] == [1.0, 3.0, 9.0]
    assert bars["marker"]["color"] == [NODE_COLOUR, AMBER, RED]
    assert medians["x"] == [None, 2.0, 2.0] and p90s["x"] == [None, 4.0, 4.0]
    assert figure["layout"]["height"] == 200  # the floor; 26 px a deal past seven deals
    many = [{**rows[0], "case": str(n)} for n in range(10)]
    assert stalls_figure(many, {})["layout"]["height"] == 26 * 10 + 80


def test_no_stalls_is_an_empty_chart() -> None:
    figure = stalls_figure([], {})
    assert [trace["x"] for trace in figure["data"]] == [[], [], []]
    assert figure["layout"]["height"] == 200
