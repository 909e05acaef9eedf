"""The generic half of the store: rows to records and back, id-list links, versioned updates.

Each area module (``deals``, ``stakeholders``, ...) names an :class:`Entity` and exposes plain
functions built on these helpers, so the SQL lives here once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from dealgraph.errors import Conflict, NotFound
from dealgraph.store.dialects import insert_rows

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Link:
    """A list-of-ids field of a model stored in a link table, in order."""

    field: str
    table: sa.Table
    owner: str
    target: str


@dataclass(frozen=True)
class Entity(Generic[M]):
    """How one model maps onto its table and link tables."""

    name: str
    model: type[M]
    table: sa.Table
    links: tuple[Link, ...] = ()
    versioned: bool = False
    order_by: tuple[str, ...] = ("id",)

    @property
    def json_fields(self) -> frozenset[str]:
        """Columns stored as JSON: written in the model's JSON form."""
        return frozenset(c.name for c in self.table.c if isinstance(c.type, sa.JSON))

    def to_row(self, record: M) -> dict[str, Any]:
        """The table row of a record (links left out; ``id`` left out when None)."""
        link_fields = {link.field for link in self.links}
        row = record.model_dump(exclude=link_fields)
        for name in self.json_fields:
            row[name] = record.model_dump(mode="json", include={name})[name]
        if row.get("id") is None:
            row.pop("id", None)
        return row

    def link_rows(self, record_id: int, record: M) -> dict[Link, list[dict[str, int]]]:
        """Rows of every link table for one record."""
        return {
            link: [
                {link.owner: record_id, link.target: target, "position": position}
                for position, target in enumerate(getattr(record, link.field))
            ]
            for link in self.links
        }


def insert(session: Session, entity: Entity[M], record: M) -> M:
    """Insert one record (and its links); return it with its new id."""
    row = entity.to_row(record)
    if entity.versioned:
        row["version"] = 1
    new_id = session.execute(
        sa.insert(entity.table).values(row).returning(entity.table.c.id)
    ).scalar_one()
    for link, rows in entity.link_rows(new_id, record).items():
        if rows:
            session.execute(sa.insert(link.table), rows)
    update: dict[str, Any] = {"id": new_id}
    if entity.versioned:
        update["version"] = 1
    return record.model_copy(update=update)


def fetch(session: Session, entity: Entity[M], record_id: int) -> M:
    """One record by id; NotFound when absent."""
    found = select(session, entity, where=[entity.table.c.id == record_id])
    if not found:
        raise NotFound(entity.name, record_id)
    return found[0]


def select(
    session: Session,
    entity: Entity[M],
    *,
    where: Sequence[sa.ColumnElement[bool]] = (),
    order_by: Sequence[str] | None = None,
) -> list[M]:
    """Records matching ``where``, sorted by ``order_by`` then id; one query per link table."""
    table = entity.table
    order = [table.c[name] for name in (order_by or entity.order_by)]
    if "id" not in (order_by or entity.order_by):
        order.append(table.c.id)
    result = session.execute(sa.select(table).where(*where).order_by(*order))
    # Column names once, zipped with plain tuples: a mapping per row costs more than the query.
    names = list(result.keys())
    rows = result.all()
    if not rows:
        return []
    links: dict[str, dict[int, list[int]]] = {}
    for link in entity.links:
        links[link.field] = _load_links(session, link, table, where)
    validate = entity.model.model_validate
    records = []
    for row in rows:
        data = dict(zip(names, row, strict=True))
        for field, by_owner in links.items():
            data[field] = by_owner.get(data["id"], [])
        records.append(validate(data))
    return records


def _load_links(
    session: Session, link: Link, table: sa.Table, where: Sequence[sa.ColumnElement[bool]]
) -> dict[int, list[int]]:
    owner = link.table.c[link.owner]
    query = sa.select(owner, link.table.c[link.target]).order_by(owner, link.table.c.position)
    if where:
        query = query.where(owner.in_(sa.select(table.c.id).where(*where)))
    result: dict[int, list[int]] = defaultdict(list)
    for owner_id, target_id in session.execute(query):
        result[owner_id].append(target_id)
    return result


def update(
    session: Session, entity: Entity[M], record: M, *, expected_version: int | None = None
) -> M:
    """Write every field of a stored record; versioned entities check ``expected_version``.

    A stale version raises Conflict with the current version and changes nothing.
    """
    record_id = getattr(record, "id", None)
    if record_id is None:
        raise NotFound(entity.name, None)
    table = entity.table
    row = entity.to_row(record)
    row.pop("id", None)
    query = sa.update(table).where(table.c.id == record_id)
    new_values: dict[str, Any] = {}
    if entity.versioned:
        if expected_version is None:
            raise TypeError(f"{entity.name} updates need expected_version")
        query = query.where(table.c.version == expected_version)
        row["version"] = expected_version + 1
        new_values["version"] = expected_version + 1
    result = session.execute(query.values(row))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        current = session.execute(
            sa.select(table.c.version if entity.versioned else table.c.id).where(
                table.c.id == record_id
            )
        ).scalar_one_or_none()
        if current is None:
            raise NotFound(entity.name, record_id)
        raise Conflict(
            f"{entity.name} {record_id} was changed by someone else "
            f"(version {current}, expected {expected_version}); reload and try again",
            current_version=current,
        )
    for link, rows in entity.link_rows(record_id, record).items():
        session.execute(sa.delete(link.table).where(link.table.c[link.owner] == record_id))
        if rows:
            session.execute(sa.insert(link.table), rows)
    return record.model_copy(update=new_values)


def delete(session: Session, entity: Entity[M], record_id: int) -> None:
    """Delete one record (children go with it by cascade); NotFound when absent."""
    result = session.execute(sa.delete(entity.table).where(entity.table.c.id == record_id))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound(entity.name, record_id)


def existing_ids(session: Session, table: sa.Table, ids: Iterable[int], **equals: Any) -> set[int]:
    """Which of ``ids`` exist in ``table`` (optionally with column values, e.g. ``deal_id=3``)."""
    wanted = set(ids)
    if not wanted:
        return set()
    query = sa.select(table.c.id).where(table.c.id.in_(wanted))
    for column, value in equals.items():
        query = query.where(table.c[column] == value)
    return set(session.execute(query).scalars())


def bulk_insert(session: Session, entity: Entity[M], records: Sequence[M]) -> None:
    """Insert records that already carry their ids, links included, in a few statements."""
    if not records:
        return
    insert_rows(session, entity.table, [entity.to_row(r) for r in records])
    for link in entity.links:
        rows = [
            {link.owner: _record_id(r), link.target: target, "position": position}
            for r in records
            for position, target in enumerate(getattr(r, link.field))
        ]
        insert_rows(session, link.table, rows)


def _record_id(record: BaseModel) -> int:
    value = record.__dict__["id"]
    assert isinstance(value, int), "bulk_insert needs records that carry their ids"
    return value
