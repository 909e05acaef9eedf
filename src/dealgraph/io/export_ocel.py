"""OCEL 2.0 JSON export: deals, accounts, stakeholders and decisions as linked objects.

Events are the workspace's history in the event-log shape (a stage entered, an interaction,
named as ``workspace_event_log`` names them) plus ``decision decided``. Each event relates
to its deal; an interaction also to its participants (qualifier ``participant``), a decided
decision to the decision and its owners. Objects relate to each other: a deal to its account,
a stakeholder to the deal and to whom they report, a decision to the deal, to the decisions it
requires and to its owners. A relationship is only written to an object that is exported, so
every ``objectId`` resolves.

The document is written item by item, so only one object or event is encoded at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TextIO

from dealgraph.core.model import DealRecord, Interaction

DECIDED = "decision decided"

# OCEL attribute types by object type: name -> (OCEL type).
OBJECT_TYPES: dict[str, dict[str, str]] = {
    "account": {"name": "string", "industry": "string", "region": "string", "size": "integer"},
    "deal": {
        "title": "string",
        "owner": "string",
        "status": "string",
        "stage": "string",
        "value": "float",
        "currency": "string",
        "segment": "string",
        "playbook": "string",
        "expected_close": "time",
    },
    "stakeholder": {
        "name": "string",
        "title": "string",
        "role": "string",
        "level": "integer",
        "stance": "integer",
        "influence": "string",
    },
    "decision": {
        "title": "string",
        "key": "string",
        "stage": "string",
        "status": "string",
        "level": "integer",
        "expected_days": "integer",
    },
}
INTERACTION_ATTRIBUTES = {
    "channel": "string",
    "outcome": "string",
    "seller": "string",
    "direction": "string",
}


def ocel_time(value: datetime) -> str:
    """A naive UTC time as OCEL writes it: ISO 8601 with ``Z``.

    >>> ocel_time(datetime(2026, 1, 5, 9, 30))
    '2026-01-05T09:30:00Z'
    """
    return value.isoformat() + "Z"


def object_id(kind: str, ident: int | None) -> str:
    """The OCEL id of a workspace record, e.g. ``deal:12``."""
    return f"{kind}:{ident}"


def interaction_activity(touch: Interaction) -> str:
    """The activity an interaction is logged as (the play, else ``interaction:<channel>``)."""
    return touch.play or f"interaction:{touch.channel}"


def _value(value: object) -> object:
    if isinstance(value, datetime):
        return ocel_time(value)
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, Enum):
        return str(value.value)
    return value


def _attributes(
    record: Any, names: dict[str, str], *, time: datetime | None
) -> list[dict[str, object]]:
    found = []
    for name in names:
        value = getattr(record, name)
        if value is None or value == "":
            continue
        item: dict[str, object] = {"name": name, "value": _value(value)}
        if time is not None:
            item["time"] = ocel_time(time)
        found.append(item)
    return found


def _links(pairs: list[tuple[str, str]], known: set[str]) -> list[dict[str, str]]:
    return [{"objectId": oid, "qualifier": q} for oid, q in pairs if oid in known]


def _known_ids(records: Sequence[DealRecord]) -> set[str]:
    known: set[str] = set()
    for record in records:
        known.add(object_id("deal", record.deal.id))
        if record.account is not None:
            known.add(object_id("account", record.account.id))
        known.update(object_id("stakeholder", s.id) for s in record.stakeholders)
        known.update(object_id("decision", d.id) for d in record.decisions)
    return known


def _objects(records: Sequence[DealRecord], known: set[str]) -> Iterator[dict[str, object]]:
    accounts_seen: set[int | None] = set()
    for record in records:
        deal = record.deal
        created = deal.created_at
        account = record.account
        if account is not None and account.id not in accounts_seen:
            accounts_seen.add(account.id)
            yield {
                "id": object_id("account", account.id),
                "type": "account",
                "attributes": _attributes(account, OBJECT_TYPES["account"], time=created),
                "relationships": [],
            }
        yield {
            "id": object_id("deal", deal.id),
            "type": "deal",
            "attributes": _attributes(deal, OBJECT_TYPES["deal"], time=created),
            "relationships": _links(
                [(object_id("account", deal.account_id), "buyer")] if deal.account_id else [],
                known,
            ),
        }
        for person in record.stakeholders:
            pairs = [(object_id("deal", deal.id), "on")]
            if person.reports_to is not None:
                pairs.append((object_id("stakeholder", person.reports_to), "reports to"))
            yield {
                "id": object_id("stakeholder", person.id),
                "type": "stakeholder",
                "attributes": _attributes(
                    person, OBJECT_TYPES["stakeholder"], time=person.added_at or created
                ),
                "relationships": _links(pairs, known),
            }
        for decision in record.decisions:
            pairs = [(object_id("deal", deal.id), "of")]
            pairs += [(object_id("decision", r), "requires") for r in decision.requires]
            pairs += [(object_id("stakeholder", o), "owned by") for o in decision.owners]
            yield {
                "id": object_id("decision", decision.id),
                "type": "decision",
                "attributes": _attributes(decision, OBJECT_TYPES["decision"], time=created),
                "relationships": _links(pairs, known),
            }


def _events(records: Sequence[DealRecord], known: set[str]) -> Iterator[dict[str, object]]:
    for record in records:
        deal = record.deal
        deal_link = (object_id("deal", deal.id), "deal")
        changes = sorted(record.stage_changes, key=lambda c: (c.changed_at, c.id or 0))
        if changes and changes[0].from_stage is not None:
            yield {
                "id": f"deal-entered:{deal.id}",
                "type": changes[0].from_stage,
                "time": ocel_time(deal.created_at),
                "attributes": [],
                "relationships": _links([deal_link], known),
            }
        for change in changes:
            yield {
                "id": object_id("stage-change", change.id),
                "type": change.to_stage,
                "time": ocel_time(change.changed_at),
                "attributes": [],
                "relationships": _links([deal_link], known),
            }
        for touch in record.interactions:
            pairs = [deal_link]
            pairs += [(object_id("stakeholder", p), "participant") for p in touch.participants]
            yield {
                "id": object_id("interaction", touch.id),
                "type": interaction_activity(touch),
                "time": ocel_time(touch.occurred_at),
                "attributes": _attributes(touch, INTERACTION_ATTRIBUTES, time=None),
                "relationships": _links(pairs, known),
            }
        for decision in record.decisions:
            if decision.decided_at is None:
                continue
            pairs = [deal_link, (object_id("decision", decision.id), "decision")]
            pairs += [(object_id("stakeholder", o), "owner") for o in decision.owners]
            yield {
                "id": object_id("decided", decision.id),
                "type": DECIDED,
                "time": ocel_time(decision.decided_at),
                "attributes": [],
                "relationships": _links(pairs, known),
            }


def _event_types(records: Sequence[DealRecord]) -> list[dict[str, object]]:
    names: dict[str, dict[str, str]] = {}
    for record in records:
        for change in record.stage_changes:
            names.setdefault(change.to_stage, {})
            if change.from_stage is not None:
                names.setdefault(change.from_stage, {})
        for touch in record.interactions:
            names[interaction_activity(touch)] = INTERACTION_ATTRIBUTES
        if any(d.decided_at is not None for d in record.decisions):
            names[DECIDED] = {}
    return [
        {"name": name, "attributes": [{"name": a, "type": t} for a, t in attrs.items()]}
        for name, attrs in sorted(names.items())
    ]


def write_ocel(records: Sequence[DealRecord], stream: TextIO) -> dict[str, int]:
    """Write deals as an OCEL 2.0 JSON document; return how many objects and events.

    Example:
        >>> import io
        >>> from dealgraph.core.model import Deal
        >>> deal = Deal(id=1, title="Pilot", owner="sam", created_at=datetime(2026, 1, 5))
        >>> write_ocel([DealRecord(deal=deal)], io.StringIO())
        {'objects': 1, 'events': 0}
    """
    known = _known_ids(records)
    object_types = [
        {"name": name, "attributes": [{"name": a, "type": t} for a, t in attrs.items()]}
        for name, attrs in OBJECT_TYPES.items()
    ]
    stream.write('{\n"objectTypes": ' + json.dumps(object_types, ensure_ascii=False))
    stream.write(',\n"eventTypes": ' + json.dumps(_event_types(records), ensure_ascii=False))
    counts = {"objects": 0, "events": 0}
    for section, items in (
        ("objects", _objects(records, known)),
        ("events", _events(records, known)),
    ):
        stream.write(f',\n"{section}": [')
        for item in items:
            stream.write(
                ("\n" if counts[section] == 0 else ",\n") + json.dumps(item, ensure_ascii=False)
            )
            counts[section] += 1
        stream.write("\n]")
    stream.write("\n}\n")
    return counts
