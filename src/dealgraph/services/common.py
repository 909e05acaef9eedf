"""Helpers every service shares: the clock, the deal's playbook, membership checks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from dealgraph.core.model import Deal
from dealgraph.core.playbook.loader import get_playbook
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import Conflict, InvalidInput, NotFound
from dealgraph.store import deals as deal_store
from dealgraph.store import records, tables


def now() -> datetime:
    """The current time as naive UTC (the model's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def playbook_named(key: str) -> Playbook:
    """The playbook a deal names; an unknown one is bad input on the ``playbook`` field."""
    try:
        return get_playbook(key)
    except NotFound:
        raise InvalidInput(f"unknown playbook {key!r}", where="playbook") from None


def require_deal(session: Session, deal_id: int) -> Deal:
    """The deal, or NotFound."""
    return deal_store.get_deal(session, deal_id=deal_id)


def check_same_deal(
    session: Session,
    *,
    table_name: str,
    ids: Iterable[int | None],
    deal_id: int,
    where: str,
    kind: str,
) -> None:
    """Refuse ids that are not records of ``table_name`` on this deal, naming field and ids."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    found = records.existing_ids(
        session, tables.metadata.tables[table_name], wanted, deal_id=deal_id
    )
    missing = sorted(wanted - found)
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise InvalidInput(f"no {kind} {listed} on deal {deal_id}", where=where)


def set_deal_id(record_deal_id: int | None, deal_id: int, *, where: str = "deal_id") -> int:
    """The deal id a child record gets; a different one already on it is bad input."""
    if record_deal_id is not None and record_deal_id != deal_id:
        raise InvalidInput(f"record belongs to deal {record_deal_id}, not {deal_id}", where=where)
    return deal_id


def unknown_keys_message(kind: str, unknown: Iterable[str], valid: Iterable[str]) -> str:
    """'unknown criterion 'x'; valid: a, b, c' — the shape of every unknown-key error."""
    names = ", ".join(repr(k) for k in unknown)
    return f"unknown {kind} {names}; valid: {', '.join(sorted(valid))}"


def check_version(kind: str, record_id: int, current: int, expected: int) -> None:
    """Refuse a write based on a stale read before anything is written."""
    if current != expected:
        raise Conflict(
            f"{kind} {record_id} was changed by someone else "
            f"(version {current}, expected {expected}); reload and try again",
            current_version=current,
        )


def check_unique(ids: Iterable[int], *, where: str) -> None:
    """Refuse an id list that names the same id twice."""
    seen: set[int] = set()
    for ident in ids:
        if ident in seen:
            raise InvalidInput(f"id {ident} is listed twice", where=where)
        seen.add(ident)
