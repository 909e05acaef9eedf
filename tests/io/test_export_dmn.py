"""DMN export: a deal's decision graph parsed back matches its decisions, edges and owners."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.decisions import decision_graph
from dealgraph.core.model import Deal, DealRecord, Decision
from dealgraph.errors import InvalidInput, NotFound
from dealgraph.io.export_dmn import DC, DMN, DMNDI, write_dmn
from dealgraph.services.exports import export_file
from dealgraph.store.deals import load_deal_record
from tests.factories import make_workspace

M = f"{{{DMN}}}"


def _edges(root: ET.Element, requirement: str, target: str) -> set[tuple[str, str]]:
    found = set()
    for decision in root.findall(f"{M}decision"):
        for req in decision.findall(f"{M}{requirement}/{M}{target}"):
            found.add((req.get("href", "").removeprefix("#"), decision.get("id", "")))
    return found


def test_deal_decision_graph_as_dmn(session: Session, tmp_path: Path) -> None:
    ws = make_workspace(session)
    deal_id = ws.deals[0]
    out = tmp_path / "deal.dmn"
    summary = export_file(session, out=out, deal_id=deal_id)
    record = load_deal_record(session, deal_id=deal_id)
    graph = decision_graph(record.decisions)
    root = ET.parse(out).getroot()
    assert root.tag == f"{M}definitions"
    assert root.get("name") == record.deal.title

    ids = {d.get("id"): d.get("name") for d in root.findall(f"{M}decision")}
    assert ids == {f"decision_{d.id}": d.title for d in record.decisions}
    expected = {(f"decision_{a}", f"decision_{b}") for a, b in graph.edges}
    assert len(expected) >= 2
    assert _edges(root, "informationRequirement", "requiredDecision") == expected

    owners = {(f"stakeholder_{o}", f"decision_{d.id}") for d in record.decisions for o in d.owners}
    assert _edges(root, "authorityRequirement", "requiredAuthority") == owners
    sources = {k.get("id"): k.get("name") for k in root.findall(f"{M}knowledgeSource")}
    people = {p.id: p.name for p in record.stakeholders}
    owner_ids = {o for d in record.decisions for o in d.owners}
    assert sources == {f"stakeholder_{o}": people[o] for o in owner_ids}
    assert summary.counts == {
        "decisions": len(ids),
        "requirements": len(expected),
        "owners": len(sources),
    }
    # every element has a shape and every requirement an edge in the diagram
    diagram = root.find(f"{{{DMNDI}}}DMNDI/{{{DMNDI}}}DMNDiagram")
    assert diagram is not None
    shapes = diagram.findall(f"{{{DMNDI}}}DMNShape")
    assert {s.get("dmnElementRef") for s in shapes} == set(ids) | set(sources)
    assert all(s.find(f"{{{DC}}}Bounds") is not None for s in shapes)
    edges = diagram.findall(f"{{{DMNDI}}}DMNEdge")
    assert len(edges) == len(expected) + len(owners)


def test_dmn_needs_a_deal_and_an_existing_one(session: Session, tmp_path: Path) -> None:
    make_workspace(session)
    out = tmp_path / "deal.dmn"
    with pytest.raises(InvalidInput, match="pass --deal"):
        export_file(session, out=out)
    with pytest.raises(NotFound, match="deal 999"):
        export_file(session, out=out, deal_id=999)
    assert not out.exists()


def test_a_requirement_off_the_deal_is_refused() -> None:
    deal = Deal(id=1, title="Pilot", owner="sam", created_at=datetime(2026, 1, 5))
    record = DealRecord(deal=deal, decisions=[Decision(id=1, title="buy", requires=[7])])
    with pytest.raises(InvalidInput, match="requires unknown decision 7"):
        write_dmn(record, io.BytesIO())
