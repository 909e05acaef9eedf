"""Plotly figure dicts of the pattern reports, built from the ``services.patterns_view`` panels.

The Patterns page embeds them for ``static/app.js`` to draw; ``dealgraph patterns … --out``
saves the same figures to a file (``charts.files``). The journey map is in ``charts.journey``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dealgraph.charts import AMBER, NODE_COLOUR, RED, Figure, panel_layout
from dealgraph.services.patterns_view import (
    ChannelsPanel,
    ConformancePanel,
    FunnelPanel,
    SignalsPanel,
    VariantsPanel,
)


def funnel_figure(panel: FunnelPanel) -> Figure:
    """Deals reaching each stage, with the conversion from the stage before."""
    return {
        "data": [
            {
                "type": "funnel",
                "y": [s.title for s in panel.stages],
                "x": [s.reached for s in panel.stages],
                "textinfo": "value+percent initial",
                "marker": {"color": NODE_COLOUR},
                "hovertemplate": "%{y}<br>%{x} deals reached it<extra></extra>",
            }
        ],
        "layout": panel_layout(
            340, margin={"l": 20, "r": 20, "t": 10, "b": 20}, yaxis={"automargin": True}
        ),
    }


def time_in_stage_figure(panel: FunnelPanel) -> Figure:
    """Median and p90 days in each stage (completed visits), side by side."""
    titles = [s.title for s in panel.stages]
    return {
        "data": [
            {
                "type": "bar",
                "name": "median",
                "x": titles,
                "y": [s.median_days for s in panel.stages],
                "marker": {"color": NODE_COLOUR},
                "customdata": [s.visits for s in panel.stages],
                "hovertemplate": "%{x}<br>median %{y:.1f} d<br>%{customdata} visits<extra></extra>",
            },
            {
                "type": "bar",
                "name": "p90",
                "x": titles,
                "y": [s.p90_days for s in panel.stages],
                "marker": {"color": "#e39b2d"},
                "hovertemplate": "%{x}<br>p90 %{y:.1f} d<extra></extra>",
            },
        ],
        "layout": panel_layout(
            300,
            barmode="group",
            yaxis={"title": {"text": "days"}, "fixedrange": True},
            xaxis={"tickfont": {"size": 10}, "fixedrange": True, "automargin": True},
            legend={"orientation": "h", "y": 1.1},
        ),
    }


def variants_figure(panel: VariantsPanel) -> Figure:
    """The most frequent variants as bars (count), coloured by win rate."""
    shown = list(reversed(panel.variants))
    labels = [f"#{len(shown) - i} ({v.length} stages)" for i, v in enumerate(shown)]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [v.count for v in shown],
                "hovertext": [
                    f"{v.variant.replace(' -> ', ' → ')}<br>win rate "
                    + ("–" if v.win_rate is None else f"{v.win_rate:.0%}")
                    for v in shown
                ],
                "hoverinfo": "text+x",
                "marker": {
                    "color": [v.win_rate if v.win_rate is not None else 0 for v in shown],
                    "cmin": 0,
                    "cmax": 1,
                    "colorscale": [[0, "#c0392b"], [0.5, "#e39b2d"], [1, "#23864f"]],
                    "showscale": bool(shown),
                    "colorbar": {"title": {"text": "win rate"}, "thickness": 10},
                },
            }
        ],
        "layout": panel_layout(
            max(200, 24 * len(shown) + 60),
            margin={"l": 110, "r": 20, "t": 10, "b": 30},
            xaxis={"title": {"text": "deals"}, "fixedrange": True},
            yaxis={"fixedrange": True},
        ),
    }


def _interval_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    lows: Sequence[float],
    highs: Sequence[float],
    colours: Sequence[str],
    hover: Sequence[str],
) -> dict[str, Any]:
    rates = [v if v is not None else 0.0 for v in values]
    return {
        "type": "bar",
        "orientation": "h",
        "y": list(labels),
        "x": rates,
        "marker": {"color": list(colours)},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [max(0.0, h - r) for h, r in zip(highs, rates, strict=True)],
            "arrayminus": [max(0.0, r - lo) for lo, r in zip(lows, rates, strict=True)],
            "color": "#333",
            "thickness": 1.5,
        },
        "hovertext": list(hover),
        "hoverinfo": "text",
    }


def conformance_figure(panel: ConformancePanel) -> Figure:
    """Win rate of closed conforming vs deviating deals, with Wilson 95% intervals."""
    groups = [("conforming", panel.conforming), ("deviating", panel.deviating)]
    present = [(name, rate) for name, rate in groups if rate is not None]
    trace = _interval_bars(
        [name for name, _ in present],
        [rate.rate for _, rate in present],
        [rate.low for _, rate in present],
        [rate.high for _, rate in present],
        ["#23864f", "#e39b2d"][: len(present)],
        [
            f"{name}: {rate.successes} won of {rate.trials} closed"
            f"<br>95% interval {rate.low:.0%}–{rate.high:.0%}"
            for name, rate in present
        ],
    )
    return {
        "data": [trace],
        "layout": panel_layout(
            180,
            margin={"l": 90, "r": 20, "t": 10, "b": 40},
            xaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "win rate"}},
            yaxis={"fixedrange": True},
        ),
    }


def channel_heatmap_figure(panel: ChannelsPanel, stages: Sequence[tuple[str, str]]) -> Figure:
    """Channel × stage heatmap of the share of touches followed by an advance."""
    used = {row.stage for row in panel.rows}
    columns = [(key, title) for key, title in stages if key in used]
    channels = sorted({row.channel for row in panel.rows})
    cells = {(row.channel, row.stage): row for row in panel.rows}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for channel in channels:
        z.append([])
        text.append([])
        for key, _ in columns:
            row = cells.get((channel, key))
            z[-1].append(row.advance_share if row else None)
            text[-1].append(f"{row.advance_share:.0%}<br>n={row.interactions}" if row else "")
    return {
        "data": [
            {
                "type": "heatmap",
                "x": [title for _, title in columns],
                "y": channels,
                "z": z,
                "text": text,
                "texttemplate": "%{text}",
                "textfont": {"size": 9},
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, "#f4f6f8"], [1, "#23864f"]],
                "colorbar": {"title": {"text": "advanced"}, "tickformat": ".0%", "thickness": 10},
                "hovertemplate": "%{y} in %{x}<br>%{text}<extra></extra>",
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": panel_layout(
            max(220, 34 * len(channels) + 90),
            margin={"l": 70, "r": 20, "t": 10, "b": 80},
            xaxis={"tickfont": {"size": 10}, "fixedrange": True},
            yaxis={"fixedrange": True},
        ),
    }


def signal_lift_figure(panel: SignalsPanel) -> Figure:
    """Loss rate of closed deals per signal with Wilson intervals; the dashed line is the base."""
    rows = list(reversed(panel.rows))
    trace = _interval_bars(
        [row.title for row in rows],
        [row.loss_rate for row in rows],
        [row.low for row in rows],
        [row.high for row in rows],
        ["#c0392b" if (row.lift or 0) > 1 else "#5b7fd6" for row in rows],
        [
            f"{row.title}: {row.losses} lost of {row.deals} closed"
            f"<br>lift {'–' if row.lift is None else f'{row.lift:.2f}'}"
            f" · 95% interval {row.low:.0%}–{row.high:.0%}"
            for row in rows
        ],
    )
    shapes = []
    if panel.base_loss_rate is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": panel.base_loss_rate,
                "x1": panel.base_loss_rate,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#333", "dash": "dash", "width": 1},
            }
        )
    return {
        "data": [trace],
        "layout": panel_layout(
            max(200, 26 * len(rows) + 60),
            margin={"l": 190, "r": 20, "t": 10, "b": 40},
            xaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "loss rate"}},
            yaxis={"fixedrange": True, "tickfont": {"size": 10}},
            shapes=shapes,
        ),
    }


def funnel_report_figure(panel: FunnelPanel) -> Figure:
    """The funnel above the time in stage: the Patterns page's two funnel charts as one."""
    reach = funnel_figure(panel)
    times = time_in_stage_figure(panel)
    upper = [{**trace, "showlegend": False} for trace in reach["data"]]
    lower = [{**trace, "xaxis": "x2", "yaxis": "y2"} for trace in times["data"]]
    heading = {"xref": "paper", "yref": "paper", "x": 0, "xanchor": "left", "showarrow": False}
    return {
        "data": [*upper, *lower],
        "layout": panel_layout(
            reach["layout"]["height"] + times["layout"]["height"] + 60,
            barmode="group",
            legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 0.47},
            xaxis={"anchor": "y", "visible": False},
            yaxis={"automargin": True, "domain": [0.55, 0.97]},
            xaxis2={**times["layout"]["xaxis"], "anchor": "y2"},
            yaxis2={**times["layout"]["yaxis"], "anchor": "x2", "domain": [0.0, 0.42]},
            annotations=[
                {**heading, "y": 1.0, "yanchor": "top", "text": "<b>Deals reaching each stage</b>"},
                {**heading, "y": 0.47, "yanchor": "bottom", "text": "<b>Days in stage</b>"},
            ],
        ),
    }


def _stall_colour(row: Mapping[str, Any]) -> str:
    days, median, p90 = row["days_in_stage"], row.get("median_days"), row.get("p90_days")
    if p90 is not None and days > p90:
        return RED
    if median is not None and days > median:
        return AMBER
    return NODE_COLOUR


def stalls_figure(rows: Sequence[Mapping[str, Any]], titles: Mapping[str, str]) -> Figure:
    """Days each open deal has sat in its stage (bars) against that stage's median and p90.

    ``rows`` are ``analytics.stalls`` rows (``case``, ``stage``, ``days_in_stage``,
    ``median_days``, ``p90_days``) in the report's order, drawn top down; ``titles`` names the
    stages. A bar is red past the stage's p90, amber past its median.
    """
    shown = list(reversed(rows))
    labels = [f"{row['case']} · {titles.get(row['stage'], row['stage'])}" for row in shown]
    bars = {
        "type": "bar",
        "orientation": "h",
        "name": "days in stage",
        "y": labels,
        "x": [row["days_in_stage"] for row in shown],
        "marker": {"color": [_stall_colour(row) for row in shown]},
        "hovertemplate": "%{y}<br>%{x:.1f} days in stage<extra></extra>",
    }
    # The median is a dark bar across the stall; the p90 a white diamond: both read on any bar.
    ticks = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "y": labels,
            "x": [row.get(key) for row in shown],
            "marker": marker,
            "hovertemplate": f"%{{y}}<br>{name} %{{x:.1f}} days<extra></extra>",
        }
        for key, name, marker in (
            ("median_days", "median", {"symbol": "line-ns-open", "size": 16, "color": "#222",
                                       "line": {"width": 3}}),
            ("p90_days", "p90", {"symbol": "diamond", "size": 10, "color": "#fff",
                                 "line": {"width": 1.5, "color": "#222"}}),
        )
    ]  # fmt: skip
    return {
        "data": [bars, *ticks],
        "layout": panel_layout(
            max(200, 26 * len(shown) + 80),
            margin={"l": 190, "r": 20, "t": 30, "b": 40},
            xaxis={"title": {"text": "days in stage"}, "rangemode": "tozero"},
            yaxis={"fixedrange": True, "tickfont": {"size": 10}, "automargin": True},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        ),
    }
