"""The native JSON workspace document: a lossless export and a transactional import.

The document holds every record exactly as ``model_dump(mode="json")`` gives it, each list
sorted by id, and nothing that changes from one export to the next (no timestamp), so
export → import into an empty database → export gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field
from sqlalchemy.orm import Session

from dealgraph.core.model import DealRecord
from dealgraph.errors import Conflict, ImportFailed
from dealgraph.store import records, tables
from dealgraph.store.dialects import reset_sequences
from dealgraph.store.entities import (
    ACCOUNT,
    CLOSE_DATE_CHANGE,
    DEAL,
    DECISION,
    EVIDENCE,
    INTERACTION,
    OFFERING,
    PLAN_ITEM,
    PROBLEM,
    STAGE_CHANGE,
    STAKEHOLDER,
)
from dealgraph.store.records import Entity

FORMAT = "dealgraph-workspace"
FORMAT_VERSION = 1

# Section name -> entity, in an order where every record only refers to earlier sections.
SECTIONS: tuple[tuple[str, Entity[Any]], ...] = (
    ("accounts", ACCOUNT),
    ("offerings", OFFERING),
    ("deals", DEAL),
    ("stakeholders", STAKEHOLDER),
    ("decisions", DECISION),
    ("interactions", INTERACTION),
    ("evidence", EVIDENCE),
    ("plan_items", PLAN_ITEM),
    ("stage_changes", STAGE_CHANGE),
    ("close_date_changes", CLOSE_DATE_CHANGE),
    ("problems", PROBLEM),
)
SECTION_NAMES = tuple(name for name, _ in SECTIONS)


class ImportSummary(BaseModel):
    """How many records of each section an import wrote."""

    model_config = ConfigDict(frozen=True)

    counts: dict[str, int] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        """Records written in all."""
        return sum(self.counts.values())


def export_workspace(session: Session) -> dict[str, Any]:
    """The whole workspace as a native JSON document (plain dicts and lists)."""
    document: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    for name, entity in SECTIONS:
        document[name] = [
            record.model_dump(mode="json")
            for record in records.select(session, entity, order_by=("id",))
        ]
    return document


def import_workspace(session: Session, document: object) -> ImportSummary:
    """Load a native JSON document into an empty workspace, keeping every id.

    The whole document is validated first (ImportFailed names the record and field), then
    written with bulk inserts in the caller's transaction: on any failure nothing is kept.
    """
    parsed = parse_document(document)
    check_references(parsed)
    if not workspace_is_empty(session):
        raise Conflict("workspace is not empty: import needs an empty database")
    _insert(session, parsed)
    return ImportSummary(counts={name: len(parsed[name]) for name in SECTION_NAMES})


def workspace_is_empty(session: Session) -> bool:
    """True when no table of the workspace holds a row."""
    for _, entity in SECTIONS:
        if session.execute(sa.select(entity.table.c.id).limit(1)).first() is not None:
            return False
    return True


def parse_document(document: object) -> dict[str, list[Any]]:
    """Validate the header and every record with the core models."""
    if not isinstance(document, Mapping):
        raise ImportFailed("the document must be a JSON object", where="document")
    if document.get("format") != FORMAT:
        raise ImportFailed(f"expected {FORMAT!r}, got {document.get('format')!r}", where="format")
    if document.get("format_version") != FORMAT_VERSION:
        raise ImportFailed(
            f"this dealgraph reads version {FORMAT_VERSION}, got "
            f"{document.get('format_version')!r}",
            where="format_version",
        )
    unknown = sorted(set(document) - {"format", "format_version", *SECTION_NAMES})
    if unknown:
        raise ImportFailed(
            f"unknown section; valid: {', '.join(SECTION_NAMES)}", where=", ".join(unknown)
        )
    parsed: dict[str, list[Any]] = {}
    for name, entity in SECTIONS:
        raw = document.get(name, [])
        if not isinstance(raw, list):
            raise ImportFailed("must be a list of records", where=name)
        parsed[name] = [
            _parse_record(name, index, item, entity.model) for index, item in enumerate(raw)
        ]
        _check_unique_ids(name, parsed[name])
    return parsed


# Sections holding a deal's children, and the DealRecord field each fills.
_DEAL_CHILDREN = {
    "stakeholders": "stakeholders",
    "decisions": "decisions",
    "interactions": "interactions",
    "evidence": "evidence",
    "plan_items": "plan",
    "stage_changes": "stage_changes",
    "close_date_changes": "close_date_changes",
    "problems": "problems",
}


def deal_records(document: object) -> list[DealRecord]:
    """Every deal of a native document as a validated DealRecord (with its account), by id.

    This is how the engines read an export file or a generated workspace without a database.
    """
    parsed = parse_document(document)
    accounts = {a.id: a for a in parsed["accounts"]}
    children: dict[int, dict[str, list[Any]]] = {
        deal.id: {field: [] for field in _DEAL_CHILDREN.values()} for deal in parsed["deals"]
    }
    for section, field in _DEAL_CHILDREN.items():
        for record in parsed[section]:
            children[record.deal_id][field].append(record)
    return [
        DealRecord(deal=deal, account=accounts.get(deal.account_id), **children[deal.id])
        for deal in parsed["deals"]
    ]


def _parse_record(section: str, index: int, item: object, model: type[BaseModel]) -> BaseModel:
    ident = item.get("id") if isinstance(item, Mapping) else None
    label = f"{section}[{index}]" + (f" (id {ident})" if ident is not None else "")
    if not isinstance(item, Mapping):
        raise ImportFailed("must be a JSON object", where=label)
    try:
        record = model.model_validate(item)
    except ValidationError as error:
        first = error.errors()[0]
        path = " -> ".join(str(part) for part in first["loc"])
        raise ImportFailed(first["msg"], where=f"{label} -> {path}" if path else label) from None
    if record.__dict__.get("id") is None:
        raise ImportFailed("every record needs its id", where=f"{label} -> id")
    return record


def _check_unique_ids(section: str, items: Sequence[Any]) -> None:
    seen: set[int] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise ImportFailed(
                f"id {item.id} is used twice", where=f"{section}[{index}] (id {item.id}) -> id"
            )
        seen.add(item.id)


class _Refs:
    """Raises ImportFailed for a reference that points at nothing (or at another deal)."""

    def __init__(self, parsed: dict[str, list[Any]]) -> None:
        self.parsed = parsed
        self.deal_of: dict[str, dict[int, int | None]] = {
            name: {item.id: getattr(item, "deal_id", None) for item in parsed[name]}
            for name in SECTION_NAMES
        }

    def check(
        self,
        section: str,
        index: int,
        item: Any,
        field_name: str,
        targets: str,
        *,
        same_deal: bool = True,
    ) -> None:
        value = getattr(item, field_name)
        ids: Iterable[int | None] = value if isinstance(value, list) else [value]
        listed = [i for i in ids if i is not None]
        if len(set(listed)) != len(listed):
            raise ImportFailed(
                "lists an id twice", where=f"{section}[{index}] (id {item.id}) -> {field_name}"
            )
        known = self.deal_of[targets]
        for ident in listed:
            where = f"{section}[{index}] (id {item.id}) -> {field_name}"
            if ident not in known:
                raise ImportFailed(f"no {targets} record with id {ident}", where=where)
            if same_deal and known[ident] != item.deal_id:
                raise ImportFailed(
                    f"{targets} {ident} is on deal {known[ident]}, not deal {item.deal_id}",
                    where=where,
                )


def check_references(parsed: dict[str, list[Any]]) -> None:
    """Every id a record names exists (on the same deal where that matters); graphs acyclic."""
    refs = _Refs(parsed)
    for index, deal in enumerate(parsed["deals"]):
        refs.check("deals", index, deal, "account_id", "accounts", same_deal=False)
    links: dict[str, list[tuple[str, str, bool]]] = {
        "stakeholders": [("reports_to", "stakeholders", True)],
        "decisions": [("requires", "decisions", True), ("owners", "stakeholders", True)],
        "interactions": [("participants", "stakeholders", True)],
        "evidence": [("interaction_id", "interactions", True)],
        "plan_items": [("depends_on", "plan_items", True), ("decision_id", "decisions", True)],
        "stage_changes": [("interaction_id", "interactions", True)],
        "close_date_changes": [],
        "problems": [
            ("confirmed_by", "stakeholders", True),
            ("decisions", "decisions", True),
            ("offerings", "offerings", False),
        ],
    }
    for section, checks in links.items():
        for index, item in enumerate(parsed[section]):
            refs.check(section, index, item, "deal_id", "deals", same_deal=False)
            if item.deal_id is None:
                raise ImportFailed(
                    "every record needs its deal", where=f"{section}[{index}] -> deal_id"
                )
            for field_name, targets, same_deal in checks:
                refs.check(section, index, item, field_name, targets, same_deal=same_deal)
    _check_unique_together(parsed)
    _check_acyclic(parsed, "stakeholders", lambda s: [s.reports_to] if s.reports_to else [])
    _check_acyclic(parsed, "decisions", lambda d: d.requires)
    _check_acyclic(parsed, "plan_items", lambda p: p.depends_on)


def _check_unique_together(parsed: dict[str, list[Any]]) -> None:
    seen: set[tuple[int, str]] = set()
    for index, evidence in enumerate(parsed["evidence"]):
        key = (evidence.deal_id, evidence.criterion)
        if key in seen:
            raise ImportFailed(
                f"criterion {evidence.criterion!r} is evidenced twice on deal {evidence.deal_id}",
                where=f"evidence[{index}] (id {evidence.id}) -> criterion",
            )
        seen.add(key)
    keys: set[str] = set()
    for index, offering in enumerate(parsed["offerings"]):
        if offering.key in keys:
            raise ImportFailed(
                f"key {offering.key!r} is used twice",
                where=f"offerings[{index}] (id {offering.id}) -> key",
            )
        keys.add(offering.key)


def _check_acyclic(parsed: dict[str, list[Any]], section: str, edges_of: Any) -> None:
    graph = nx.DiGraph()
    for item in parsed[section]:
        graph.add_node(item.id)
        graph.add_edges_from((item.id, target) for target in edges_of(item))
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    ids = [cycle[0][0], *(v for _, v in cycle)]
    raise ImportFailed("ids form a cycle: " + " -> ".join(str(i) for i in ids), where=section)


def _insert(session: Session, parsed: dict[str, list[Any]]) -> None:
    for name, entity in SECTIONS:
        items = parsed[name]
        if name == "stakeholders":
            # A stakeholder may report to one with a higher id: link bosses after all exist.
            records.bulk_insert(
                session, entity, [s.model_copy(update={"reports_to": None}) for s in items]
            )
            bosses = [{"sid": s.id, "boss": s.reports_to} for s in items if s.reports_to]
            if bosses:
                table = tables.stakeholders
                session.execute(
                    sa.update(table)
                    .where(table.c.id == sa.bindparam("sid"))
                    .values(reports_to=sa.bindparam("boss")),
                    bosses,
                )
            continue
        records.bulk_insert(session, entity, items)
    reset_sequences(session, [entity.table for _, entity in SECTIONS])


def write_export(path: str | Path, document: Mapping[str, Any]) -> Path:
    """Write a document as stable, indented JSON (keys sorted); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_document(document), encoding="utf-8")
    return target


def dump_document(document: Mapping[str, Any]) -> str:
    """The canonical text of a document: two-space indent, sorted keys, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def read_export(path: str | Path) -> dict[str, Any]:
    """Read a document; an unreadable or non-JSON file raises ImportFailed naming it."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise ImportFailed(f"cannot read the file: {error.strerror}", where=str(source)) from None
    except UnicodeDecodeError as error:
        raise ImportFailed(f"not UTF-8 text: {error.reason}", where=str(source)) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            f"not valid JSON: {error.msg}", where=f"{source}:{error.lineno}:{error.colno}"
        ) from None
    if not isinstance(document, dict):
        raise ImportFailed("the document must be a JSON object", where=str(source))
    return document
