"""Records that came from another system, found and saved by ``(source, external_id)``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from dealgraph.store import records, tables
from dealgraph.store.records import Entity

M = TypeVar("M", bound=BaseModel)
Change = Literal["created", "updated", "unchanged"]


def find_external(
    session: Session, entity: Entity[M], *, source: str, external_id: str
) -> M | None:
    """The record imported from ``source`` under ``external_id``, or None."""
    table = entity.table
    found = records.select(
        session,
        entity,
        where=[table.c.source == source, table.c.external_id == external_id],
    )
    return found[0] if found else None


def save_external(
    session: Session, entity: Entity[M], record: M, *, existing: M | None
) -> tuple[Change, M]:
    """Insert ``record`` or, when ``existing`` is given, write it over that one if it differs.

    ``record`` carries its ``source`` and ``external_id``; on update it takes the stored id
    and version, so an identical record is left alone and reported as unchanged.
    """
    if existing is None:
        return "created", records.insert(session, entity, record)
    update: dict[str, Any] = {"id": getattr(existing, "id", None)}
    if entity.versioned:
        update["version"] = getattr(existing, "version", 1)
    candidate = record.model_copy(update=update)
    if candidate.model_dump() == existing.model_dump():
        return "unchanged", existing
    expected = update.get("version") if entity.versioned else None
    return "updated", records.update(session, entity, candidate, expected_version=expected)


def stage_before(
    session: Session, *, deal_id: int, changed_at: datetime, exclude_id: int | None = None
) -> str | None:
    """The stage a deal had reached just before ``changed_at`` (by its stage changes)."""
    table = tables.stage_changes
    query = (
        sa.select(table.c.to_stage)
        .where(table.c.deal_id == deal_id, table.c.changed_at < changed_at)
        .order_by(table.c.changed_at.desc(), table.c.id.desc())
        .limit(1)
    )
    if exclude_id is not None:
        query = query.where(table.c.id != exclude_id)
    value: str | None = session.execute(query).scalar_one_or_none()
    return value
