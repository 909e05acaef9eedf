"""Plotly figure dicts of a simulation report: won cycle times overlaid, cost by channel per win.

The Simulate page embeds them for ``static/app.js`` to draw. Both take the report the
API returns (``services.simulation.SimulationReport``), so the page draws what the JSON says.
"""

from __future__ import annotations

from dealgraph.charts import AMBER, NODE_COLOUR, Figure, panel_layout
from dealgraph.planning.simulation import SimulationSummary
from dealgraph.services.simulation import DesignResult, SimulationReport

DESIGN_COLOURS = (NODE_COLOUR, AMBER)


def designs(report: SimulationReport) -> list[tuple[str, DesignResult]]:
    """The report's designs with their letters: A, and B when there is one."""
    shown = [("A", report.a)]
    if report.b is not None:
        shown.append(("B", report.b))
    return shown


def cost_per_win_by_channel(summary: SimulationSummary) -> dict[str, float] | None:
    """Cost per win split by channel (each channel's cost per deal over the win rate).

    The parts add up to ``summary.cost_per_win``; None when the design wins nothing.
    """
    if summary.win_rate <= 0:
        return None
    return {channel: cost / summary.win_rate for channel, cost in summary.cost_by_channel.items()}


def cycle_figure(report: SimulationReport) -> Figure:
    """Won deals by cycle days, one translucent histogram per design on the same bins."""
    traces = []
    for (letter, design), colour in zip(designs(report), DESIGN_COLOURS, strict=False):
        histogram = design.won_cycle_days
        won = max(design.simulated.won, 1)
        lefts, rights = histogram.edges[:-1], histogram.edges[1:]
        traces.append(
            {
                "type": "bar",
                "name": f"{letter}: {design.title}",
                "x": [(left + right) / 2 for left, right in zip(lefts, rights, strict=True)],
                "y": [count / won for count in histogram.counts],
                "width": [right - left for left, right in zip(lefts, rights, strict=True)],
                "customdata": [
                    [left, right, count]
                    for left, right, count in zip(lefts, rights, histogram.counts, strict=True)
                ],
                "marker": {"color": colour, "line": {"width": 0}},
                "opacity": 0.55,
                "hovertemplate": (
                    f"{letter}<br>%{{customdata[0]:.0f}}–%{{customdata[1]:.0f}} days<br>"
                    "%{y:.1%} of won deals (%{customdata[2]:,})<extra></extra>"
                ),
            }
        )
    return {
        "data": traces,
        "layout": panel_layout(
            320,
            barmode="overlay",
            bargap=0,
            xaxis={"title": {"text": "days from the first stage to won"}, "rangemode": "tozero"},
            yaxis={"title": {"text": "share of won deals"}, "tickformat": ".0%"},
            legend={"orientation": "h", "y": 1.12},
        ),
    }


def channel_cost_figure(report: SimulationReport) -> Figure:
    """Cost per win by channel, the designs' bars side by side."""
    shown = designs(report)
    parts = {letter: cost_per_win_by_channel(design.simulated) for letter, design in shown}
    totals: dict[str, float] = {}
    for split in parts.values():
        for channel, cost in (split or {}).items():
            totals[channel] = totals.get(channel, 0.0) + cost
    channels = sorted(totals, key=lambda channel: -totals[channel])
    currency = report.a.simulated.currency
    traces = []
    for (letter, design), colour in zip(shown, DESIGN_COLOURS, strict=False):
        split = parts[letter] or {}
        traces.append(
            {
                "type": "bar",
                "name": f"{letter}: {design.title}",
                "x": channels,
                "y": [split.get(channel, 0.0) for channel in channels],
                "marker": {"color": colour},
                "hovertemplate": (
                    f"{letter}<br>%{{x}}: %{{y:,.0f}} {currency} per win<extra></extra>"
                ),
            }
        )
    return {
        "data": traces,
        "layout": panel_layout(
            320,
            barmode="group",
            xaxis={"title": {"text": "channel"}, "fixedrange": True},
            yaxis={
                "title": {"text": f"cost per win ({currency})"},
                "tickformat": ",.0f",
                "fixedrange": True,
            },
            legend={"orientation": "h", "y": 1.12},
        ),
    }
