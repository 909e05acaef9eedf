"""A deal's decision graph as a DMN 1.3 decision requirements graph (XML), with a diagram.

Each buyer decision becomes a ``<decision>``; a requirement (``requires``) becomes an
``<informationRequirement>`` whose ``<requiredDecision href="#decision_N"/>`` names the
decision it depends on. Each owner becomes a ``<knowledgeSource>`` (a stakeholder with
authority) linked by an ``<authorityRequirement>``. A DMNDI diagram lays the decisions out
left to right by dependency depth, owners on a row beneath, so modelers open it as drawn.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from dealgraph.core.decisions import decision_graph, topological_layers
from dealgraph.core.model import DealRecord, Stakeholder
from dealgraph.io.export_xes import xml_text

DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMNDI = "https://www.omg.org/spec/DMN/20191111/DMNDI/"
DC = "http://www.omg.org/spec/DMN/20180521/DC/"
DI = "http://www.omg.org/spec/DMN/20180521/DI/"

WIDTH, HEIGHT, GAP_X, GAP_Y, MARGIN = 180, 80, 60, 40, 40

for _prefix, _uri in (("", DMN), ("dmndi", DMNDI), ("dc", DC), ("di", DI)):
    ET.register_namespace(_prefix, _uri)


def decision_ref(decision_id: int | None) -> str:
    """The DMN id of a decision, e.g. ``decision_12``."""
    return f"decision_{decision_id}"


def stakeholder_ref(stakeholder_id: int | None) -> str:
    """The DMN id of a stakeholder's knowledge source, e.g. ``stakeholder_5``."""
    return f"stakeholder_{stakeholder_id}"


def _sub(parent: ET.Element, ns: str, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{ns}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})


def _describe(parent: ET.Element, text: str) -> None:
    if text:
        _sub(parent, DMN, "description").text = xml_text(text)


def dmn_tree(record: DealRecord) -> ET.ElementTree[ET.Element]:
    """The DMN 1.3 ``definitions`` of one deal's decision graph.

    Raises:
        InvalidInput: a decision requires a decision that is not on the deal.
    """
    deal = record.deal
    graph = decision_graph(record.decisions)
    people = {p.id: p for p in record.stakeholders}
    owners = sorted({o for d in record.decisions for o in d.owners if o in people})
    root = ET.Element(
        f"{{{DMN}}}definitions",
        {
            "id": f"deal_{deal.id}",
            "name": xml_text(deal.title),
            "namespace": f"urn:dealgraph:deal:{deal.id}",
        },
    )
    _describe(root, f"Buyer decisions of deal {deal.id} ({deal.status}, stage {deal.stage or '-'})")
    boxes: dict[str, tuple[int, int]] = {}
    layers = topological_layers(record.decisions)
    for column, layer in enumerate(layers):
        for row, node in enumerate(layer):
            boxes[decision_ref(node)] = (column, row)
    by_id = {d.id: d for d in record.decisions}
    edges: list[tuple[str, str, str]] = []
    for node in graph.nodes:
        decision = by_id[node]
        element = _sub(root, DMN, "decision", id=decision_ref(node), name=decision.title)
        _describe(element, f"status {decision.status}; stage {decision.stage or '-'}")
        for required in sorted(graph.predecessors(node)):
            ref = f"ir_{node}_{required}"
            requirement = _sub(element, DMN, "informationRequirement", id=ref)
            _sub(requirement, DMN, "requiredDecision", href=f"#{decision_ref(required)}")
            edges.append((ref, decision_ref(required), decision_ref(node)))
        for owner in decision.owners:
            if owner not in people:
                continue
            ref = f"ar_{node}_{owner}"
            authority = _sub(element, DMN, "authorityRequirement", id=ref)
            _sub(authority, DMN, "requiredAuthority", href=f"#{stakeholder_ref(owner)}")
            edges.append((ref, stakeholder_ref(owner), decision_ref(node)))
    below = max((len(layer) for layer in layers), default=0)
    for index, owner in enumerate(owners):
        person = people[owner]
        source = _sub(root, DMN, "knowledgeSource", id=stakeholder_ref(owner), name=person.name)
        _describe(source, _person_text(person))
        boxes[stakeholder_ref(owner)] = (index, below)
    _diagram(root, boxes, edges)
    return ET.ElementTree(root)


def _person_text(person: Stakeholder) -> str:
    return f"{person.role}" + (f", {person.title}" if person.title else "")


def _corner(box: tuple[int, int]) -> tuple[int, int]:
    column, row = box
    return MARGIN + column * (WIDTH + GAP_X), MARGIN + row * (HEIGHT + GAP_Y)


def _diagram(
    root: ET.Element, boxes: dict[str, tuple[int, int]], edges: list[tuple[str, str, str]]
) -> None:
    diagram = _sub(_sub(root, DMNDI, "DMNDI"), DMNDI, "DMNDiagram", id="diagram")
    for ref, box in boxes.items():
        x, y = _corner(box)
        shape = _sub(diagram, DMNDI, "DMNShape", id=f"shape_{ref}", dmnElementRef=ref)
        _sub(shape, DC, "Bounds", x=str(x), y=str(y), width=str(WIDTH), height=str(HEIGHT))
    for ref, source, target in edges:
        edge = _sub(diagram, DMNDI, "DMNEdge", id=f"edge_{ref}", dmnElementRef=ref)
        for end in (source, target):
            x, y = _corner(boxes[end])
            _sub(edge, DI, "waypoint", x=str(x + WIDTH // 2), y=str(y + HEIGHT // 2))


def write_dmn(record: DealRecord, stream: IO[bytes]) -> dict[str, int]:
    """Write one deal's decision graph as DMN 1.3 XML; return decisions, requirements, owners.

    Example:
        >>> import io
        >>> from datetime import datetime
        >>> from dealgraph.core.model import Deal, Decision
        >>> deal = Deal(id=1, title="Pilot", owner="sam", created_at=datetime(2026, 1, 5))
        >>> graph = [Decision(id=1, title="scope"), Decision(id=2, title="buy", requires=[1])]
        >>> write_dmn(DealRecord(deal=deal, decisions=graph), io.BytesIO())
        {'decisions': 2, 'requirements': 1, 'owners': 0}
    """
    tree = dmn_tree(record)
    ET.indent(tree)
    tree.write(stream, encoding="UTF-8", xml_declaration=True)
    stream.write(b"\n")
    root = tree.getroot()
    return {
        "decisions": len(root.findall(f"{{{DMN}}}decision")),
        "requirements": len(root.findall(f".//{{{DMN}}}requiredDecision")),
        "owners": len(root.findall(f"{{{DMN}}}knowledgeSource")),
    }
