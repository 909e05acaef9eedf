"""Plotly figures for the pages, built as plain dicts from core data.

The figures are JSON-ready ``{"data": [...], "layout": {...}}`` dicts: the page embeds them in
a ``<script type="application/json">`` block and ``static/app.js`` hands them to plotly.js,
so no Python plotly object and no inline script is involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dealgraph.charts import FONT as _FONT
from dealgraph.charts import Figure
from dealgraph.core.decisions import topological_layers
from dealgraph.core.engagement import engaged_ids
from dealgraph.core.enums import DecisionStatus, Influence, Role
from dealgraph.core.model import DealRecord, Decision, Stakeholder

# One palette for every page (app.css repeats these as CSS variables).
STANCE_COLOURS: Mapping[int, str] = {
    -2: "#c0392b",
    -1: "#e8836f",
    0: "#9aa0a6",
    1: "#7cc48a",
    2: "#23864f",
}
STANCE_NAMES: Mapping[int, str] = {
    -2: "enemy (−2)",
    -1: "sceptic (−1)",
    0: "neutral (0)",
    1: "supporter (+1)",
    2: "champion (+2)",
}
STATUS_COLOURS: Mapping[str, str] = {
    DecisionStatus.OPEN: "#5b7fd6",
    DecisionStatus.IN_PROGRESS: "#e39b2d",
    DecisionStatus.DECIDED: "#23864f",
    DecisionStatus.BLOCKED: "#c0392b",
    DecisionStatus.DROPPED: "#b5b9bf",
}
INFLUENCE_SIZES: Mapping[str, int] = {
    Influence.LOW: 22,
    Influence.MEDIUM: 32,
    Influence.HIGH: 44,
}
ROLE_BADGES: Mapping[str, str] = {
    Role.ECONOMIC_BUYER: "EB",
    Role.DECISION_MAKER: "DM",
    Role.APPROVER: "AP",
    Role.EVALUATOR: "EV",
    Role.USER: "US",
    Role.CHAMPION: "CH",
    Role.INFLUENCER: "IN",
    Role.GATEKEEPER: "GK",
    Role.OTHER: "OT",
}
CRITICAL_COLOUR = "#d0312d"
EDGE_COLOUR = "#b8bec6"
# Ring shade darkens with the Jaques level: deeper levels of work read as heavier outlines.
LEVEL_RING_COLOURS: Sequence[str] = (
    "#cfd8e3",
    "#a9b8cb",
    "#8296b0",
    "#5e7594",
    "#425778",
    "#2b3d5b",
    "#18253d",
)


def role_badge(role: Role | str) -> str:
    """Two-letter badge of a stakeholder role (``economic_buyer`` → ``EB``)."""
    return ROLE_BADGES.get(role, str(role)[:2].upper())


def level_ring(level: int) -> tuple[float, str]:
    """Marker outline width and colour for a Jaques level (1–7)."""
    index = min(max(level, 1), 7) - 1
    return 1.5 + index * 0.9, LEVEL_RING_COLOURS[index]


def team_layout(stakeholders: Sequence[Stakeholder]) -> dict[int, tuple[float, float]]:
    """Positions of a buying team as an org chart: bosses on top, reports spread below.

    Each person sits at the mean x of their reports; leaves take the next free column, so
    reporting lines never cross. People whose ``reports_to`` is outside the team are roots.
    """
    ids = {s.id for s in stakeholders if s.id is not None}
    children: dict[int | None, list[int]] = {}
    for person in sorted(stakeholders, key=lambda s: s.id or 0):
        if person.id is None:
            continue
        parent = person.reports_to if person.reports_to in ids else None
        children.setdefault(parent, []).append(person.id)
    positions: dict[int, tuple[float, float]] = {}
    next_column = 0.0

    def place(node: int, depth: int, seen: frozenset[int]) -> float:
        nonlocal next_column
        below = [c for c in children.get(node, []) if c not in seen]
        if below:
            xs = [place(child, depth + 1, seen | {node}) for child in below]
            x = sum(xs) / len(xs)
        else:
            x = next_column
            next_column += 1.0
        positions[node] = (x, -float(depth))
        return x

    for root in children.get(None, []):
        place(root, 0, frozenset())
    # A reporting cycle has no root; the store refuses those, but never lose a person.
    for person_id in sorted(ids - positions.keys()):
        place(person_id, 0, frozenset())
    return positions


def team_map_figure(record: DealRecord) -> Figure:
    """The buying team as a network: colour = stance, size = influence, ring = level.

    Reporting lines are the edges; engaged people are solid, people not engaged yet are faded
    with a dashed-look open marker. Each stance is its own trace so the legend explains colours.
    """
    team = [s for s in record.stakeholders if s.id is not None]
    positions = team_layout(team)
    engaged = engaged_ids(record)
    names = {s.id: s.name for s in team}
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for person in team:
        assert person.id is not None
        if person.reports_to in positions:
            (x0, y0), (x1, y1) = positions[person.reports_to], positions[person.id]
            edge_x += [x0, x1, None]
            edge_y += [y0, y1, None]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": edge_x,
            "y": edge_y,
            "line": {"color": EDGE_COLOUR, "width": 1.5},
            "hoverinfo": "skip",
            "name": "reports to",
            "showlegend": bool(edge_x),
        }
    ]
    for stance in sorted(STANCE_COLOURS):
        people = [s for s in team if s.stance == stance]
        if not people:
            continue
        rings = [level_ring(s.level) for s in people]
        data.append(_legend_entry(STANCE_NAMES[stance], STANCE_COLOURS[stance], 1.0))
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": STANCE_NAMES[stance],
                "showlegend": False,
                "x": [positions[s.id][0] for s in people if s.id is not None],
                "y": [positions[s.id][1] for s in people if s.id is not None],
                "text": [role_badge(s.role) for s in people],
                "textposition": "middle center",
                "textfont": {"color": "#ffffff", "size": 10},
                "customdata": [s.id for s in people],
                "hovertext": [_person_hover(s, s.id in engaged, names) for s in people],
                "hoverinfo": "text",
                "marker": {
                    "color": STANCE_COLOURS[stance],
                    "size": [INFLUENCE_SIZES[s.influence] for s in people],
                    "opacity": [1.0 if s.id in engaged else 0.45 for s in people],
                    "line": {"width": [w for w, _ in rings], "color": [c for _, c in rings]},
                },
            }
        )
    if any(s.id not in engaged for s in team):
        data.append(_legend_entry("not engaged yet", STANCE_COLOURS[0], 0.45))
    data.append(
        {
            "type": "scatter",
            "mode": "text",
            "x": [positions[s.id][0] for s in team if s.id is not None],
            "y": [positions[s.id][1] - 0.32 for s in team if s.id is not None],
            "text": [_plain(s.name) for s in team],
            "textfont": {"color": "#2b3440", "size": 11},
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "names",
        }
    )
    depth = -min((y for _, y in positions.values()), default=0.0)
    columns = max((x for x, _ in positions.values()), default=0.0)
    return {
        "data": data,
        "layout": {
            "height": int(180 + 110 * depth),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "font": _FONT,
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.02, "yanchor": "top", "font": {"size": 11}},
            "xaxis": {"visible": False, "range": [-0.7, columns + 0.7], "fixedrange": True},
            "yaxis": {"visible": False, "range": [-depth - 0.6, 0.5], "fixedrange": True},
            "plot_bgcolor": "rgba(0,0,0,0)",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "hovermode": "closest",
        },
    }


def _legend_entry(name: str, colour: str, opacity: float) -> dict[str, Any]:
    """A trace with no points that only puts ``name`` in the legend with a clean marker."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [None],
        "y": [None],
        "name": name,
        "hoverinfo": "skip",
        "marker": {"color": colour, "size": 12, "opacity": opacity},
    }


def _person_hover(person: Stakeholder, engaged: bool, names: Mapping[int | None, str]) -> str:
    lines = [
        f"<b>{_plain(person.name)}</b>" + (f" — {_plain(person.title)}" if person.title else ""),
        f"role {person.role.value.replace('_', ' ')} · level {person.level}",
        f"stance {person.stance:+d} · influence {person.influence.value}",
        "engaged" if engaged else "not engaged yet",
    ]
    if person.reports_to in names:
        lines.append(f"reports to {_plain(names[person.reports_to])}")
    return "<br>".join(lines)


def decision_layout(decisions: Sequence[Decision]) -> dict[int, tuple[float, float]]:
    """Left-to-right positions by dependency layer; each layer centred vertically."""
    positions: dict[int, tuple[float, float]] = {}
    for column, layer in enumerate(topological_layers(decisions)):
        offset = (len(layer) - 1) / 2
        for row, decision_id in enumerate(layer):
            positions[decision_id] = (float(column), offset - row)
    return positions


def decision_graph_figure(
    record: DealRecord,
    *,
    critical: Iterable[int] = (),
    level_gaps: Iterable[int] = (),
) -> Figure:
    """The buyer's decision graph: layers left to right, status colours, critical path in red.

    Args:
        record: the deal with its decisions and stakeholders (owners' names for hover).
        critical: decision ids on the GPS critical path, in path order.
        level_gaps: decision ids whose engaged people sit below the level they need.
    """
    decisions = [d for d in record.decisions if d.id is not None]
    positions = decision_layout(decisions)
    path = [d for d in critical if d in positions]
    on_path = set(path)
    critical_edges = set(zip(path, path[1:], strict=False))
    gaps = set(level_gaps)
    names = {s.id: s.name for s in record.stakeholders}
    plain: tuple[list[float | None], list[float | None]] = ([], [])
    hot: tuple[list[float | None], list[float | None]] = ([], [])
    for decision in decisions:
        assert decision.id is not None
        for required in decision.requires:
            if required not in positions:
                continue
            xs, ys = hot if (required, decision.id) in critical_edges else plain
            (x0, y0), (x1, y1) = positions[required], positions[decision.id]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
    data: list[dict[str, Any]] = [
        _edge_trace(plain, EDGE_COLOUR, 1.5, "requires"),
        _edge_trace(hot, CRITICAL_COLOUR, 4.0, "critical path"),
    ]
    for status in DecisionStatus:
        group = [d for d in decisions if d.status == status]
        if not group:
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": status.value.replace("_", " "),
                "x": [positions[d.id][0] for d in group if d.id is not None],
                "y": [positions[d.id][1] for d in group if d.id is not None],
                "text": [_wrap(d.title) + (" ▲" if d.id in gaps else "") for d in group],
                # Neighbouring columns put labels on opposite sides so long titles do not collide.
                "textposition": [
                    "top center" if int(positions[d.id][0]) % 2 else "bottom center"
                    for d in group
                    if d.id is not None
                ],
                "textfont": {"size": 11, "color": "#2b3440"},
                "customdata": [d.id for d in group],
                "hovertext": [
                    _decision_hover(d, names, d.id in on_path, d.id in gaps) for d in group
                ],
                "hoverinfo": "text",
                "marker": {
                    "size": 22,
                    "symbol": "square",
                    "color": STATUS_COLOURS[status],
                    "line": {
                        "width": [4 if d.id in on_path else 1 for d in group],
                        "color": [CRITICAL_COLOUR if d.id in on_path else "#ffffff" for d in group],
                    },
                },
            }
        )
    rows = max((abs(y) for _, y in positions.values()), default=0.0)
    columns = max((x for x, _ in positions.values()), default=0.0)
    return {
        "data": data,
        "layout": {
            "height": int(240 + 190 * rows),
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "font": _FONT,
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.02, "yanchor": "top", "font": {"size": 11}},
            "xaxis": {"visible": False, "range": [-0.9, columns + 0.9], "fixedrange": True},
            "yaxis": {"visible": False, "range": [-rows - 0.8, rows + 0.8], "fixedrange": True},
            "plot_bgcolor": "rgba(0,0,0,0)",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "hovermode": "closest",
        },
    }


def _edge_trace(
    points: tuple[list[float | None], list[float | None]], colour: str, width: float, name: str
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines",
        "x": points[0],
        "y": points[1],
        "line": {"color": colour, "width": width},
        "hoverinfo": "skip",
        "name": name,
        "showlegend": bool(points[0]),
    }


def _decision_hover(
    decision: Decision, names: Mapping[int | None, str], critical: bool, gap: bool
) -> str:
    owners = ", ".join(_plain(names[o]) for o in decision.owners if o in names) or "no owner"
    lines = [
        f"<b>{_plain(decision.title)}</b>",
        f"{decision.status.value.replace('_', ' ')} · needs level {decision.level}",
        f"owners: {owners}",
        f"~{decision.expected_days} days" + (f" · due {decision.due}" if decision.due else ""),
    ]
    if critical:
        lines.append("on the critical path")
    if gap:
        lines.append("▲ level gap: nobody engaged at this level")
    return "<br>".join(lines)


def _wrap(text: str, width: int = 16, lines: int = 2) -> str:
    """A title broken into at most ``lines`` lines of about ``width`` characters (hover has all)."""
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return "<br>".join(_plain(part) for part in out)


def _short(text: str, limit: int = 26) -> str:
    text = _plain(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str) -> str:
    """Text safe inside plotly's hover HTML subset: angle brackets and ampersands escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stage_value_figure(stages: Sequence[tuple[str, int, Sequence[tuple[str, float]]]]) -> Figure:
    """Stacked bars of open pipeline value per stage and currency, in journey order.

    Each stage is (title, deal count, [(currency, value), ...]); currencies are stacked, never
    added together, and named in the legend and the hover.
    """
    currencies = sorted(
        {currency for _, _, values in stages for currency, _ in values},
        key=lambda c: -sum(dict(values).get(c, 0.0) for _, _, values in stages),
    )
    palette = ["#5b7fd6", "#8fb3ff", "#2f4f9e", "#b9c9f2", "#46608f"]
    return {
        "data": [
            {
                "type": "bar",
                "name": currency,
                "x": [title for title, _, _ in stages],
                "y": [dict(values).get(currency, 0.0) for _, _, values in stages],
                "customdata": [count for _, count, _ in stages],
                "marker": {"color": palette[i % len(palette)]},
                "hovertemplate": f"%{{x}}<br>{currency} %{{y:,.0f}}<br>%{{customdata}} deals"
                "<extra></extra>",
            }
            for i, currency in enumerate(currencies)
        ],
        "layout": {
            "height": 180,
            "barmode": "stack",
            "showlegend": len(currencies) > 1,
            "legend": {"orientation": "h", "y": 1.15, "font": {"size": 10}},
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "font": _FONT,
            "xaxis": {"tickfont": {"size": 10}, "fixedrange": True},
            "yaxis": {"tickformat": "~s", "fixedrange": True},
            "plot_bgcolor": "rgba(0,0,0,0)",
            "paper_bgcolor": "rgba(0,0,0,0)",
        },
    }
