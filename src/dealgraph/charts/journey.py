"""The journey map as a diagram: activities as nodes, arrows wider by count, coloured by time.

Built from a ``services.patterns_view.JourneyPanel``: the Patterns page draws it, and
``dealgraph patterns journey --out`` saves it to a file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dealgraph.analytics.journey import JourneyMap
from dealgraph.charts import (
    AMBER,
    GREEN,
    NODE_COLOUR,
    OTHER_NODE_COLOUR,
    RED,
    Figure,
    panel_layout,
)
from dealgraph.services.patterns_view import JourneyPanel

SECONDS_PER_DAY = 86_400.0
# Fast (green) through amber to slow (red): edge colour by median days between activities.
TIME_SCALE: Sequence[tuple[float, str]] = ((0.0, GREEN), (0.5, AMBER), (1.0, RED))


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


def journey_backbone(journey: JourneyMap, preferred: Sequence[str] = ()) -> list[str]:
    """The activities laid out left to right on the journey map's top row.

    The ``preferred`` activities (a playbook's stages, in journey order) found in the map, when
    at least two are; else the main path: from the most frequent start activity, each step
    along the most travelled edge to an activity not yet on the path.
    """
    present = {e.source for e in journey.edges} | {e.target for e in journey.edges}
    present |= {c.activity for c in journey.starts}
    ordered = [name for name in preferred if name in present]
    if len(ordered) >= 2 or not journey.starts:
        return ordered
    first = min(journey.starts, key=lambda c: (-c.count, c.activity))
    path = [first.activity]
    while True:
        onward = [e for e in journey.edges if e.source == path[-1] and e.target not in path]
        if not onward:
            return path
        path.append(min(onward, key=lambda e: (-e.count, e.target)).target)


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
        "layout": panel_layout(
            max(260, int(200 + 80 * -lowest)),
            xaxis={**axis, "range": [-0.6, len(panel.stages) - 0.4]},
            yaxis={**axis, "range": [lowest - 0.6, 0.6]},
            annotations=annotations,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
        ),
    }
