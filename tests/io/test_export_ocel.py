"""OCEL 2.0 JSON export: structurally valid, every relationship resolves, linked as stored."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dealgraph.analytics.eventlog import workspace_event_log
from dealgraph.services.exports import export_file
from dealgraph.store.deals import load_deal_records
from tests.factories import make_workspace

TYPES = {"string", "time", "integer", "float", "boolean"}


def _check_structure(document: dict[str, Any]) -> None:
    """What the OCEL 2.0 JSON schema requires, checked by hand."""
    assert set(document) == {"objectTypes", "eventTypes", "objects", "events"}
    object_types = {t["name"]: t for t in document["objectTypes"]}
    event_types = {t["name"]: t for t in document["eventTypes"]}
    for kind in [*object_types.values(), *event_types.values()]:
        assert all(a["type"] in TYPES for a in kind["attributes"])
    ids = [o["id"] for o in document["objects"]]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for obj in document["objects"]:
        declared = {a["name"] for a in object_types[obj["type"]]["attributes"]}
        assert {a["name"] for a in obj["attributes"]} <= declared
        assert all("time" in a and a["time"].endswith("Z") for a in obj["attributes"])
        assert all(r["objectId"] in known for r in obj["relationships"])
    event_ids = [e["id"] for e in document["events"]]
    assert len(event_ids) == len(set(event_ids))
    for event in document["events"]:
        assert event["type"] in event_types
        assert event["time"].endswith("Z")
        assert all(r["objectId"] in known and r["qualifier"] for r in event["relationships"])


def test_workspace_as_ocel(session: Session, tmp_path: Path) -> None:
    ws = make_workspace(session)
    out = tmp_path / "workspace.jsonocel"
    summary = export_file(session, out=out)
    assert summary.format == "ocel"
    document = json.loads(out.read_text(encoding="utf-8"))
    _check_structure(document)
    assert summary.counts == {
        "objects": len(document["objects"]),
        "events": len(document["events"]),
    }
    assert {t["name"] for t in document["objectTypes"]} == {
        "account",
        "deal",
        "stakeholder",
        "decision",
    }
    records = load_deal_records(session)
    kinds = Counter(o["type"] for o in document["objects"])
    assert kinds == {
        "account": 2,
        "deal": 3,
        "stakeholder": sum(len(r.stakeholders) for r in records),
        "decision": sum(len(r.decisions) for r in records),
    }
    # every event of the event log is an event here, plus one per decided decision
    events, _ = workspace_event_log(session)
    decided = sum(1 for r in records for d in r.decisions if d.decided_at is not None)
    assert decided >= 1
    assert len(document["events"]) == events.num_rows + decided
    activities = Counter(e["type"] for e in document["events"] if e["type"] != "decision decided")
    assert activities == Counter(events["activity"].to_pylist())

    by_id = {o["id"]: o for o in document["objects"]}
    ana, ben = ws.stakeholders["ana"], ws.stakeholders["ben"]
    assert {"objectId": f"stakeholder:{ana}", "qualifier": "reports to"} in by_id[
        f"stakeholder:{ben}"
    ]["relationships"]
    # the interaction with Ben and Ana relates to the deal and to both participants
    first_touch = next(e for e in document["events"] if e["id"].startswith("interaction:"))
    assert {(r["objectId"], r["qualifier"]) for r in first_touch["relationships"]} == {
        (f"deal:{ws.deals[0]}", "deal"),
        (f"stakeholder:{ben}", "participant"),
        (f"stakeholder:{ana}", "participant"),
    }
    channel = next(a for a in first_touch["attributes"] if a["name"] == "channel")
    assert channel["value"] == "virtual"
    # a custom decision requires two template decisions and is owned by Ben and Ana
    custom = next(
        o
        for o in document["objects"]
        if o["type"] == "decision"
        and {"objectId": f"stakeholder:{ben}", "qualifier": "owned by"} in o["relationships"]
    )
    assert [r["qualifier"] for r in custom["relationships"]].count("requires") == 2
    deal = by_id[f"deal:{ws.deals[0]}"]
    assert {"objectId": f"account:{ws.accounts[0]}", "qualifier": "buyer"} in deal["relationships"]
    value = next(a for a in deal["attributes"] if a["name"] == "value")
    assert value["value"] == 120000.0


def test_one_deal_keeps_only_resolvable_links(session: Session, tmp_path: Path) -> None:
    ws = make_workspace(session)
    out = tmp_path / "deal.ocel.json"
    export_file(session, out=out, deal_id=ws.deals[2])
    document = json.loads(out.read_text(encoding="utf-8"))
    _check_structure(document)
    deals = [o["id"] for o in document["objects"] if o["type"] == "deal"]
    assert deals == [f"deal:{ws.deals[2]}"]
