"""Bulk writes for importers: rows found by external id, inserted, updated and deleted in
batches with SQLAlchemy Core (one statement per batch, not one ORM call per row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dealgraph.store import tables
from dealgraph.store.dialects import insert_rows


def external_rows(
    session: Session, table: sa.Table, *, source: str, columns: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """``external_id -> (id, *columns)`` for every row of ``table`` imported from ``source``."""
    query = sa.select(table.c.external_id, table.c.id, *(table.c[name] for name in columns))
    rows = session.execute(query.where(table.c.source == source))
    return {external_id: tuple(rest) for external_id, *rest in rows}


def insert_with_ids(
    session: Session, table: sa.Table, rows: list[dict[str, Any]], *, source: str
) -> dict[str, int]:
    """Insert rows that carry ``source`` and distinct ``external_id``; ``external_id -> id``.

    The rows go in one bulk insert and their ids come back by external id in a few selects
    (an executemany with RETURNING in parameter order runs row by row on SQLite).
    """
    insert_rows(session, table, rows)
    ids: dict[str, int] = {}
    keys = [row["external_id"] for row in rows]
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        query = sa.select(table.c.external_id, table.c.id).where(
            table.c.source == source, table.c.external_id.in_(chunk)
        )
        for key, ident in session.execute(query):
            ids[key] = ident
    return ids


def insert_many(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (all with the same keys) the fastest way the dialect has."""
    insert_rows(session, table, rows)


def update_many(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Update rows by ``id`` in one executemany; every row carries the same keys."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "id"]
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values({name: sa.bindparam(f"b_{name}") for name in names})
    )
    session.execute(statement, [{f"b_{key}": value for key, value in row.items()} for row in rows])


def delete_ids(session: Session, table: sa.Table, ids: Iterable[int]) -> None:
    """Delete the rows with these ids (children go by cascade)."""
    wanted = list(ids)
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        session.execute(sa.delete(table).where(table.c.id.in_(chunk)))


def known_sellers(session: Session) -> set[str]:
    """Names the workspace knows as sellers: its users and the owners of its deals."""
    users = session.execute(sa.select(tables.users.c.name)).scalars()
    owners = session.execute(sa.select(tables.deals.c.owner).distinct()).scalars()
    return {*users, *owners}


def stage_origin_fixes(session: Session, *, source: str) -> list[dict[str, Any]]:
    """``{"id", "from_stage"}`` for each stage change from ``source`` whose ``from_stage`` is
    not the stage its deal had just before it (deal history ordered by time, then id).

    Deals imported from ``source`` are walked in one ordered pass, so memory holds only the
    fixes, never the whole history.
    """
    changes = tables.stage_changes
    deals = tables.deals
    query = (
        sa.select(changes.c.id, changes.c.deal_id, changes.c.to_stage, changes.c.from_stage)
        .add_columns(changes.c.source)
        .where(changes.c.deal_id.in_(sa.select(deals.c.id).where(deals.c.source == source)))
        .order_by(changes.c.deal_id, changes.c.changed_at, changes.c.id)
    )
    fixes: list[dict[str, Any]] = []
    deal_id: int | None = None
    previous: str | None = None
    for change_id, change_deal, to_stage, from_stage, change_source in session.execute(query):
        if change_deal != deal_id:
            deal_id, previous = change_deal, None
        if change_source == source and from_stage != previous:
            fixes.append({"id": change_id, "from_stage": previous})
        previous = to_stage
    return fixes
