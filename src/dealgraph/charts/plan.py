"""Plotly figure dicts of the Plan page: the forecast's distribution and the backtest's bands.

Both take the planning models as the services return them (``planning.forecast.Forecast``,
``planning.backtest.Backtest``); the Plan page embeds the figures for ``static/app.js``.
"""

from __future__ import annotations

from typing import Any

from dealgraph.charts import GREEN, NODE_COLOUR, OTHER_NODE_COLOUR, RED, Figure, panel_layout
from dealgraph.planning.backtest import Backtest
from dealgraph.planning.forecast import Forecast

MARKER_COLOUR = "#1f2833"
"""The percentile lines: dark ink, dashed, so the coloured bars stay readable behind them."""


def forecast_figure(forecast: Forecast) -> Figure:
    """Share of trials per bookings band, with P10, P50, P90 and the quota marked.

    Bands that reach the quota are green. Example:
        >>> figure = forecast_figure(result)  # doctest: +SKIP
        >>> [line["name"] for line in figure["layout"]["shapes"]]  # doctest: +SKIP
        ['P10', 'P50', 'P90', 'quota']
    """
    dist = forecast.distribution
    bins = dist.histogram
    quota = dist.quota
    colours = [GREEN if quota is not None and b.low >= quota else NODE_COLOUR for b in bins]
    bars = {
        "type": "bar",
        "name": "trials",
        "x": [(b.low + b.high) / 2 for b in bins],
        "width": [b.high - b.low for b in bins],
        "y": [b.share for b in bins],
        "customdata": [[b.low, b.high, b.trials] for b in bins],
        "marker": {"color": colours, "line": {"color": "#ffffff", "width": 1}},
        "hovertemplate": f"%{{customdata[0]:,.0f}} to %{{customdata[1]:,.0f}} {forecast.currency}"
        "<br>%{y:.1%} of trials (%{customdata[2]:,})<extra></extra>",
    }
    marks = [("P10", dist.p10), ("P50", dist.p50), ("P90", dist.p90)]
    shapes = [_vertical(name, x, MARKER_COLOUR, "dash") for name, x in marks]
    # Labels of equal percentiles merge ("P10 = P50"); the others step up so near ones
    # do not print over each other.
    merged: dict[float, list[str]] = {}
    for name, x in marks:
        merged.setdefault(x, []).append(name)
    labels = [
        _label(" = ".join(names), x, MARKER_COLOUR, y=1.01 + 0.07 * (step % 2))
        for step, (x, names) in enumerate(merged.items())
    ]
    if quota is not None:
        shapes.append(_vertical("quota", quota, RED, "solid"))
        labels.append(_label("quota", quota, RED, y=1.15))
    return {
        "data": [bars],
        "layout": panel_layout(
            320,
            margin={"l": 60, "r": 20, "t": 56, "b": 50},
            showlegend=False,
            bargap=0,
            xaxis={"title": {"text": f"bookings in the period ({forecast.currency})"}},
            yaxis={"title": {"text": "share of trials"}, "tickformat": ".0%"},
            shapes=shapes,
            annotations=labels,
        ),
    }


def backtest_figure(result: Backtest) -> Figure:
    """Per past quarter: the P10–P90 band around the P50 against what was actually booked.

    The actual is green inside the band and red outside it; every deal won in the quarter
    (including deals created inside it) is the grey dot.
    """
    rows = result.periods
    labels = [row.period.label for row in rows]
    band = {
        "type": "scatter",
        "mode": "markers",
        "name": "P50 (bar: P10 to P90)",
        "x": labels,
        "y": [row.p50 for row in rows],
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": [row.p90 - row.p50 for row in rows],
            "arrayminus": [row.p50 - row.p10 for row in rows],
            "color": NODE_COLOUR,
            "thickness": 6,
            "width": 0,
        },
        "marker": {"size": 18, "symbol": "line-ew", "line": {"width": 3, "color": MARKER_COLOUR}},
        "customdata": [[row.p10, row.p90] for row in rows],
        "hovertemplate": "%{x}<br>P50 %{y:,.0f}<br>P10 %{customdata[0]:,.0f} to "
        "P90 %{customdata[1]:,.0f}<extra></extra>",
    }
    actual = {
        "type": "scatter",
        "mode": "markers",
        "name": "actual (deals open at the start)",
        "x": labels,
        "y": [row.actual_from_pipeline for row in rows],
        "marker": {
            "color": [GREEN if row.inside_band else RED for row in rows],
            "size": 12,
            "symbol": "diamond",
        },
        "hovertemplate": "%{x}<br>booked %{y:,.0f}<extra></extra>",
    }
    everything = {
        "type": "scatter",
        "mode": "markers",
        "name": "all won in the quarter",
        "x": labels,
        "y": [row.actual for row in rows],
        "marker": {"color": OTHER_NODE_COLOUR, "size": 7},
        "hovertemplate": "%{x}<br>all won %{y:,.0f}<extra></extra>",
    }
    return {
        "data": [band, actual, everything],
        "layout": panel_layout(
            300,
            legend={"orientation": "h", "y": -0.2},
            margin={"l": 70, "r": 20, "t": 10, "b": 60},
            xaxis={"type": "category"},
            yaxis={"title": {"text": result.currency}, "rangemode": "tozero"},
        ),
    }


def _vertical(name: str, x: float, colour: str, dash: str) -> dict[str, Any]:
    return {
        "type": "line",
        "name": name,
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": 2 if name == "quota" else 1.5, "dash": dash},
    }


def _label(name: str, x: float, colour: str, *, y: float = 1.02) -> dict[str, Any]:
    return {
        "x": x,
        "y": y,
        "xref": "x",
        "yref": "paper",
        "text": name,
        "showarrow": False,
        "yanchor": "bottom",
        "font": {"color": colour, "size": 11},
    }
