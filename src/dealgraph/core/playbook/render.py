"""Diagrams of a playbook: the buyer's journey and the decision template.

Three outputs: Mermaid text, Graphviz DOT text, and a standalone SVG that our own code
lays out (no Graphviz binary needed): the journey left to right in journey order, the
decision template in layers by dependency (``networkx.topological_generations``).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from dealgraph.core.levels import stratum
from dealgraph.core.playbook.schema import DecisionTemplate, Playbook, Stage


def render_mermaid(playbook: Playbook) -> str:
    """One Mermaid ``flowchart LR`` with two subgraphs: the journey and the decision template.

    Both live in one diagram so the text renders as it is; the won end is a double circle
    and each decision's label carries the level of work it needs.
    """
    lines = ["flowchart LR", f"  %% {_mermaid_text(playbook.title)} ({playbook.key})"]
    stage_ids = {stage.key: f"s{i}" for i, stage in enumerate(playbook.stages)}
    lines.append('  subgraph journey["Journey"]')
    lines.append("    direction LR")
    for stage in playbook.stages:
        label = _mermaid_text(f"{stage.title}<br/>{_stage_note(stage)}")
        if stage.end == "won":
            lines.append(f'    {stage_ids[stage.key]}((("{label}<br/>won")))')
        else:
            lines.append(f'    {stage_ids[stage.key]}["{label}"]')
    for stage in playbook.stages:
        for target in stage.next:
            if target in stage_ids:
                lines.append(f"    {stage_ids[stage.key]} --> {stage_ids[target]}")
    lines.append("  end")
    decision_ids = {d.key: f"d{i}" for i, d in enumerate(playbook.decisions)}
    lines.append('  subgraph decisions["Decision template"]')
    lines.append("    direction LR")
    for decision in playbook.decisions:
        label = _mermaid_text(f"{decision.title}<br/>{_decision_note(decision)}")
        lines.append(f'    {decision_ids[decision.key]}["{label}"]')
    for decision in playbook.decisions:
        for required in decision.requires:
            if required in decision_ids:
                lines.append(f"    {decision_ids[required]} --> {decision_ids[decision.key]}")
    lines.append("  end")
    return "\n".join(lines) + "\n"


def render_dot(playbook: Playbook) -> str:
    """Graphviz DOT text: a ``cluster_journey`` and a ``cluster_decisions`` subgraph."""
    lines = [
        "digraph playbook {",
        f"  label={_dot_text(playbook.title)};",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded"];',
        "  subgraph cluster_journey {",
        '    label="Journey";',
    ]
    for i, stage in enumerate(playbook.stages):
        shape = ", peripheries=2" if stage.end == "won" else ""
        label = f"{stage.title}\n{_stage_note(stage)}" + ("\nwon" if stage.end == "won" else "")
        lines.append(f"    s{i} [label={_dot_text(label)}{shape}];")
    stage_index = {stage.key: i for i, stage in enumerate(playbook.stages)}
    for i, stage in enumerate(playbook.stages):
        for target in stage.next:
            if target in stage_index:
                lines.append(f"    s{i} -> s{stage_index[target]};")
    lines += ["  }", "  subgraph cluster_decisions {", '    label="Decision template";']
    decision_index = {d.key: i for i, d in enumerate(playbook.decisions)}
    for i, decision in enumerate(playbook.decisions):
        label = f"{decision.title}\n{_decision_note(decision)}"
        lines.append(f"    d{i} [label={_dot_text(label)}];")
    for i, decision in enumerate(playbook.decisions):
        for required in decision.requires:
            if required in decision_index:
                lines.append(f"    d{decision_index[required]} -> d{i};")
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


# -- SVG -------------------------------------------------------------------------------------

BOX_WIDTH = 180
BOX_HEIGHT = 74
COLUMN_GAP = 60
ROW_GAP = 24
MARGIN = 24
HEADING = 28
WRAP = 22
SKIP_ROOM = 36


@dataclass(frozen=True)
class _Box:
    key: str
    title: str
    note: str
    x: float
    y: float
    won: bool = False


def render_svg(playbook: Playbook) -> str:
    """A standalone SVG with both diagrams, laid out by our own code.

    Every box and edge carries ``data-key`` / ``data-from`` / ``data-to`` attributes so the
    drawing can be inspected (and tested) without reading coordinates.
    """
    journey = [
        _Box(
            s.key, s.title, _stage_note(s), MARGIN + i * (BOX_WIDTH + COLUMN_GAP), 0, s.end == "won"
        )
        for i, s in enumerate(playbook.stages)
    ]
    # Forward skips arc above the row, so leave room for them too.
    journey_top = MARGIN + HEADING + SKIP_ROOM
    journey = [_moved(box, journey_top) for box in journey]
    # Back edges arc below the row, so leave room for them.
    decisions_top = journey_top + BOX_HEIGHT + 60 + HEADING
    decision_boxes = _decision_layout(playbook.decisions, decisions_top)
    boxes = journey + decision_boxes
    width = max(box.x for box in boxes) + BOX_WIDTH + MARGIN
    height = max(box.y for box in boxes) + BOX_HEIGHT + MARGIN
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(playbook.title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
        '<rect width="100%" height="100%" fill="white"/>',
        '<g class="journey">',
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="15" font-weight="bold">Journey</text>',
        f'<text x="{MARGIN + 80}" y="{MARGIN + 14}" fill="#555">'
        "days in stage p50–p90 · level of work (Jaques stratum)</text>",
    ]
    by_key = {box.key: box for box in journey}
    for stage in playbook.stages:
        for target in stage.next:
            if target in by_key:
                out.append(_edge(by_key[stage.key], by_key[target], back_below=True))
    out += [_box_svg(box, "stage") for box in journey]
    out.append("</g>")
    out += [
        '<g class="decisions">',
        f'<text x="{MARGIN}" y="{decisions_top - HEADING + 14}" font-size="15" '
        'font-weight="bold">Decision template</text>',
    ]
    decisions_by_key = {box.key: box for box in decision_boxes}
    for decision in playbook.decisions:
        for required in decision.requires:
            if required in decisions_by_key:
                first, then = decisions_by_key[required], decisions_by_key[decision.key]
                out.append(_edge(first, then, back_below=False))
    out += [_box_svg(box, "decision") for box in decision_boxes]
    out += ["</g>", "</svg>"]
    return "\n".join(out) + "\n"


def _moved(box: _Box, y: float) -> _Box:
    return _Box(box.key, box.title, box.note, box.x, y, box.won)


def _decision_layout(decisions: list[DecisionTemplate], top: float) -> list[_Box]:
    """Boxes in columns by dependency generation (required decisions to the left)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(d.key for d in decisions)
    keys = set(graph.nodes)
    for decision in decisions:
        graph.add_edges_from((r, decision.key) for r in decision.requires if r in keys)
    order = {d.key: i for i, d in enumerate(decisions)}
    try:
        layers = [
            sorted(layer, key=order.__getitem__) for layer in nx.topological_generations(graph)
        ]
    except nx.NetworkXUnfeasible:  # a cyclic template (only if built by hand): one per column
        layers = [[d.key] for d in decisions]
    by_key = {d.key: d for d in decisions}
    boxes = []
    for column, layer in enumerate(layers):
        for row, key in enumerate(layer):
            decision = by_key[key]
            x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
            y = top + row * (BOX_HEIGHT + ROW_GAP)
            boxes.append(_Box(key, decision.title, _decision_note(decision), x, y))
    return boxes


def _box_svg(box: _Box, kind: str) -> str:
    fill, stroke = ("#e6f4ea", "#1e7d3a") if box.won else ("#f4f6fb", "#4a5a80")
    lines = textwrap.wrap(box.title, WRAP)[:3] or [box.key]
    parts = [
        f'<g class="{kind}" data-key={quoteattr(box.key)}>',
        f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" '
        f'rx="8" fill="{fill}" stroke="{stroke}" stroke-width="{3 if box.won else 1.5}"/>',
    ]
    for i, line in enumerate(lines):
        parts.append(
            f'<text x="{box.x + 8:.0f}" y="{box.y + 17 + i * 15:.0f}" font-weight="bold">'
            f"{escape(line)}</text>"
        )
    note = box.note + (" · won" if box.won else "")
    parts.append(
        f'<text x="{box.x + 8:.0f}" y="{box.y + BOX_HEIGHT - 8:.0f}" fill="#555">'
        f"{escape(note)}</text>"
    )
    parts.append("</g>")
    return "".join(parts)


def _edge(source: _Box, target: _Box, *, back_below: bool) -> str:
    attrs = f'class="edge" data-from={quoteattr(source.key)} data-to={quoteattr(target.key)}'
    style = 'fill="none" stroke="#555" stroke-width="1.4" marker-end="url(#arrow)"'
    if target.x > source.x + BOX_WIDTH + COLUMN_GAP and source.y == target.y:
        # A forward skip over other boxes in the same row: an arc above them.
        x1, y1 = source.x + BOX_WIDTH / 2 + 10, source.y
        x2, y2 = target.x + BOX_WIDTH / 2 - 10, target.y
        path = _curve((x1, y1), (x1, y1 - SKIP_ROOM), (x2, y2 - SKIP_ROOM), (x2, y2))
    elif target.x > source.x:
        x1, y1 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT / 2
        x2, y2 = target.x, target.y + BOX_HEIGHT / 2
        bend = (x2 - x1) / 2
        path = _curve((x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2))
    else:
        # A back move (or a loop to itself): an arc under the boxes.
        x1, y1 = source.x + BOX_WIDTH / 2 + 10, source.y + BOX_HEIGHT
        x2, y2 = target.x + BOX_WIDTH / 2 - 10, target.y + BOX_HEIGHT
        depth = 50 if back_below else 30
        path = _curve((x1, y1), (x1, y1 + depth), (x2, y2 + depth), (x2, y2))
        style = style.replace('stroke-width="1.4"', 'stroke-width="1.4" stroke-dasharray="5 3"')
    return f'<path {attrs} d="{path}" {style}/>'


def _curve(*points: tuple[float, float]) -> str:
    """An SVG cubic Bézier path through a start point, two control points and an end."""
    start, *rest = (f"{x:.0f},{y:.0f}" for x, y in points)
    return f"M{start} C{' '.join(rest)}"


# -- labels ----------------------------------------------------------------------------------


def _stage_note(stage: Stage) -> str:
    numeral = stratum(stage.level).numeral
    return f"{stage.duration.p50:g}–{stage.duration.p90:g} d · level {numeral}"


def _decision_note(decision: DecisionTemplate) -> str:
    return f"level {decision.level} · {decision.days} d"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label (``<br/>`` line breaks are kept)."""
    replaced = (
        text.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<br/>", "\x00")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
    )
    return replaced.replace("\x00", "<br/>")


def _dot_text(text: str) -> str:
    """A quoted DOT string; newlines become centred line breaks."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
