"""Diagrams: Mermaid, DOT and our own SVG show every stage, decision and edge, escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from dealgraph.core.playbook import Playbook, get_playbook, load_playbook_text
from dealgraph.core.playbook.render import render_dot, render_mermaid, render_svg

SVG = "{http://www.w3.org/2000/svg}"

AWKWARD = """
key: awkward
title: R&D <"tools"> & more
stages:
  - key: look
    title: Look at <R&D> "spend"
    goal: g
    exit: [seen]
    duration: {p50: 3, p90: 7}
    level: 2
    next: [buy]
  - key: buy
    title: Buy & sign
    goal: g
    exit: [signed]
    duration: {p50: 3, p90: 7}
    level: 3
    next: [look]
    end: won
criteria:
  - {key: seen, title: Seen, evidence: e}
  - {key: signed, title: Signed, evidence: e}
plays:
  - {key: p1, title: P1, purpose: p, channels: [email], outcome: [seen, signed]}
decisions:
  - {key: a, title: "Budget <A&B>", stage: look, level: 4}
  - {key: b, title: 'Say "yes"', stage: buy, level: 5, requires: [a]}
"""


@pytest.fixture(params=["buyer-journey", "meddpicc"])
def playbook(request: pytest.FixtureRequest) -> Playbook:
    return get_playbook(request.param)


def _edges(playbook: Playbook) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    journey = {(s.key, t) for s in playbook.stages for t in s.next}
    decisions = {(r, d.key) for d in playbook.decisions for r in d.requires}
    return journey, decisions


def test_mermaid_has_every_stage_decision_and_edge(playbook: Playbook) -> None:
    text = render_mermaid(playbook)
    assert text.startswith("flowchart LR\n")
    assert text.count("subgraph ") == 2
    ids = {s.key: f"s{i}" for i, s in enumerate(playbook.stages)}
    ids |= {d.key: f"d{i}" for i, d in enumerate(playbook.decisions)}
    for stage in playbook.stages:
        assert stage.title in text
    for decision in playbook.decisions:
        assert f"{decision.title}<br/>level {decision.level}" in text
    journey, decisions = _edges(playbook)
    arrows = set(re.findall(r"^\s+(\w+) --> (\w+)$", text, flags=re.MULTILINE))
    assert arrows == {(ids[a], ids[b]) for a, b in journey | decisions}
    won = playbook.won_stages[0]
    assert re.search(rf"{ids[won]}\(\(\(\".*won\"\)\)\)", text)


def test_dot_has_two_clusters_and_every_edge(playbook: Playbook) -> None:
    text = render_dot(playbook)
    assert text.startswith("digraph playbook {") and text.rstrip().endswith("}")
    assert "subgraph cluster_journey {" in text and "subgraph cluster_decisions {" in text
    assert text.count("{") == text.count("}")
    edges = set(re.findall(r"^\s+(\w+) -> (\w+);$", text, flags=re.MULTILINE))
    journey, decisions = _edges(playbook)
    assert len(edges) == len(journey) + len(decisions)
    assert "peripheries=2" in text
    for decision in playbook.decisions:
        assert decision.title in text


def test_svg_parses_and_shows_every_box_and_edge(playbook: Playbook) -> None:
    root = ET.fromstring(render_svg(playbook))
    assert root.tag == f"{SVG}svg"
    stages = [g.get("data-key") for g in root.iter(f"{SVG}g") if g.get("class") == "stage"]
    decisions = [g.get("data-key") for g in root.iter(f"{SVG}g") if g.get("class") == "decision"]
    assert stages == playbook.journey_order
    assert sorted(map(str, decisions)) == sorted(d.key for d in playbook.decisions)
    edges = {
        (path.get("data-from"), path.get("data-to"))
        for path in root.iter(f"{SVG}path")
        if path.get("class") == "edge"
    }
    journey, decision_edges = _edges(playbook)
    assert edges == journey | decision_edges


def test_svg_lays_decisions_out_left_to_right_by_dependency(playbook: Playbook) -> None:
    root = ET.fromstring(render_svg(playbook))
    x_of = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "decision":
            rect = group.find(f"{SVG}rect")
            assert rect is not None
            x_of[group.get("data-key")] = float(rect.get("x", "0"))
    for decision in playbook.decisions:
        for required in decision.requires:
            assert x_of[required] < x_of[decision.key]
    width = float(root.get("width", "0"))
    assert all(x < width for x in x_of.values())


def test_special_characters_are_escaped_in_every_format() -> None:
    awkward = load_playbook_text(AWKWARD)
    svg = render_svg(awkward)
    root = ET.fromstring(svg)  # would raise on a raw & or <
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert 'Look at <R&D> "spend"' in texts
    assert 'Say "yes"' in texts
    assert root.findtext(f"{SVG}title") == 'R&D <"tools"> & more'
    assert "<R&D>" not in svg
    dot = render_dot(awkward)
    assert 'label="Look at <R&D> \\"spend\\"\\n3–7 d' in dot
    mermaid = render_mermaid(awkward)
    assert "Look at #lt;R#amp;D#gt; #quot;spend#quot;" in mermaid
    assert '"spend"' not in mermaid


def test_back_edges_are_drawn_dashed() -> None:
    awkward = load_playbook_text(AWKWARD)
    root = ET.fromstring(render_svg(awkward))
    back = [
        p
        for p in root.iter(f"{SVG}path")
        if (p.get("data-from"), p.get("data-to")) == ("buy", "look")
    ]
    assert len(back) == 1 and back[0].get("stroke-dasharray")
