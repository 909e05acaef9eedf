"""Plotly figure dicts for the Patterns page, built from the ``services.patterns_view`` panels.

Like ``charts``, every figure is a JSON-ready ``{"data": [...], "layout": {...}}`` dict that the
page embeds in a ``<script type="application/json">`` block for ``static/app.js`` to draw.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dealgraph.services.patterns_view import (
    ChannelsPanel,
    ConformancePanel,
    FunnelPanel,
    JourneyPanel,
    SignalsPanel,
    VariantsPanel,
)
from dealgraph.web.charts import _FONT, Figure

SECONDS_PER_DAY = 86_400.0
# Fast (green) through amber to slow (red): edge colour by median days between activities.
TIME_SCALE: Sequence[tuple[float, str]] = ((0.0, "#23864f"), (0.5, "#e39b2d"), (1.0, "#c0392b"))
NODE_COLOUR = "#5b7fd6"
OTHER_NODE_COLOUR = "#9aa0a6"
_TRANSPARENT = "rgba(0,0,0,0)"


def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
        "font": _FONT,
        "plot_bgcolor": _TRANSPARENT,
        "paper_bgcolor": _TRANSPARENT,
        **extra,
    }


def time_colour(fraction: float) -> str:
    """The colour at ``fraction`` (0–1) of the fast-to-slow scale, as ``#rrggbb``."""
    fraction = min(max(fraction, 0.0), 1.0)
    for (low, low_colour), (high, high_colour) in zip(TIME_SCALE, TIME_SCALE[1:], strict=False):
        if fraction <= high:
            share = (fraction - low) / (high - low)
            start = [int(low_colour[i : i + 2], 16) for i in (1, 3, 5)]
            end = [int(high_colour[i : i + 2], 16) for i in (1, 3, 5)]
            mixed = [round(a + (b - a) * share) for a, b in zip(start, end, strict=True)]
            return "#" + "".join(f"{c:02x}" for c in mixed)
    return TIME_SCALE[-1][1]


def journey_layout(panel: JourneyPanel) -> dict[str, tuple[float, float]]:
    """x, y of every activity: stages left to right in journey order on the top row; plays
    stacked under the stage they are designed for; other activities under the stage nearest
    the count-weighted mean x of their neighbours."""
    stage_x = {stage: float(index) for index, stage in enumerate(panel.stages)}
    activities = {e.source for e in panel.journey.edges} | {e.target for e in panel.journey.edges}
    x = dict(stage_x)
    for name in activities - stage_x.keys():
        anchor = panel.anchors.get(name)
        x[name] = stage_x[anchor] if anchor in stage_x else (len(panel.stages) - 1) / 2
    free = sorted(activities - stage_x.keys() - panel.anchors.keys())
    # A few rounds of averaging settle each free activity among the nodes it links to.
    for _ in range(10):
        for name in free:
            pulls = [
                (x[e.target if e.source == name else e.source], e.count)
                for e in panel.journey.edges
                if name in (e.source, e.target) and e.source != e.target
            ]
            total = sum(count for _, count in pulls)
            if total:
                x[name] = sum(value * count for value, count in pulls) / total
    positions = {stage: (value, 0.0) for stage, value in stage_x.items()}
    depth: dict[int, int] = {}
    for name in sorted(activities - stage_x.keys()):
        column = min(max(round(x[name]), 0), max(len(panel.stages) - 1, 0))
        depth[column] = depth.get(column, 0) + 1
        positions[name] = (float(column), -float(depth[column]))
    return positions


def _wrapped(name: str, width: int = 14) -> str:
    """An activity key as words, broken into lines of about ``width`` characters."""
    lines: list[str] = []
    for word in name.replace("_", " ").split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def journey_figure(panel: JourneyPanel) -> Figure:
    """The journey map as a diagram: arrows wider by count, coloured by median time."""
    positions = journey_layout(panel)
    edges = [e for e in panel.journey.edges if e.source != e.target]
    days = [e.median_seconds / SECONDS_PER_DAY for e in edges]
    slowest = max(days, default=1.0) or 1.0
    biggest = max((e.count for e in edges), default=1)
    annotations: list[dict[str, Any]] = []
    mid_x: list[float] = []
    mid_y: list[float] = []
    hover: list[str] = []
    for edge, median in zip(edges, days, strict=True):
        (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
        # A backward move would hide under its forward twin: bend it below the row.
        offset = -0.18 if x1 < x0 else 0.0
        annotations.append(
            {
                "x": x1,
                "y": y1 + offset,
                "ax": x0,
                "ay": y0 + offset,
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "text": "",
                "showarrow": True,
                "arrowhead": 2,
                "arrowsize": 0.6,
                "standoff": 12,
                "startstandoff": 12,
                "arrowwidth": 1 + 7 * math.sqrt(edge.count / biggest),
                "arrowcolor": time_colour(median / slowest),
                "opacity": 0.85,
            }
        )
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2 + offset)
        hover.append(
            f"{edge.source} → {edge.target}<br>{edge.count} times"
            f"<br>median {median:.1f} d · p90 {edge.p90_seconds / SECONDS_PER_DAY:.1f} d"
        )
    starts = {c.activity: c.count for c in panel.journey.starts}
    ends = {c.activity: c.count for c in panel.journey.ends}
    names = list(positions)
    nodes = {
        "type": "scatter",
        "mode": "markers+text",
        "x": [positions[n][0] for n in names],
        "y": [positions[n][1] for n in names],
        "text": [_wrapped(n) for n in names],
        "textposition": "top center",
        "marker": {
            "size": 16,
            "color": [NODE_COLOUR if n in panel.stages else OTHER_NODE_COLOUR for n in names],
            "line": {"width": 1, "color": "#fff"},
        },
        "hovertext": [f"{n}<br>starts {starts.get(n, 0)} · ends {ends.get(n, 0)}" for n in names],
        "hoverinfo": "text",
        "showlegend": False,
    }
    scale = [[stop, colour] for stop, colour in TIME_SCALE]
    midpoints = {
        "type": "scatter",
        "mode": "markers",
        "x": mid_x,
        "y": mid_y,
        "hovertext": hover,
        "hoverinfo": "text",
        "marker": {
            "size": 8,
            "opacity": 0.01,
            "color": days,
            "cmin": 0,
            "cmax": slowest,
            "colorscale": scale,
            "showscale": bool(edges),
            "colorbar": {"title": {"text": "median days"}, "thickness": 10, "len": 0.8},
        },
        "showlegend": False,
    }
    lowest = min((y for _, y in positions.values()), default=0.0)
    axis = {"visible": False, "fixedrange": True}
    return {
        "data": [midpoints, nodes],
        "layout": _layout(
            max(260, int(200 + 80 * -lowest)),
            xaxis={**axis, "range": [-0.6, len(panel.stages) - 0.4]},
            yaxis={**axis, "range": [lowest - 0.6, 0.6]},
            annotations=annotations,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
        ),
    }


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
        "layout": _layout(
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
        "layout": _layout(
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
        "layout": _layout(
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
        "layout": _layout(
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
        "layout": _layout(
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
        "layout": _layout(
            max(200, 26 * len(rows) + 60),
            margin={"l": 190, "r": 20, "t": 10, "b": 40},
            xaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "loss rate"}},
            yaxis={"fixedrange": True, "tickfont": {"size": 10}},
            shapes=shapes,
        ),
    }
