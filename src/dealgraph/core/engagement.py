"""Engagement (coverage) of the buying team, derived from interactions.

A stakeholder is *engaged* when they took part in at least one interaction the buyer
answered or started (direction ``inbound`` or ``two_way``): an email nobody replied to
does not make anyone engaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dealgraph.core.enums import Direction, Role
from dealgraph.core.model import DealRecord, Interaction, Stakeholder

ENGAGING_DIRECTIONS = frozenset({Direction.INBOUND, Direction.TWO_WAY})


def is_reply(interaction: Interaction) -> bool:
    """True when the buyer took part in the interaction (inbound or two-way)."""
    return interaction.direction in ENGAGING_DIRECTIONS


def chronological(interactions: Iterable[Interaction]) -> list[Interaction]:
    """Interactions oldest first; ties broken by id so the order is stable."""
    return sorted(interactions, key=lambda i: (i.occurred_at, i.id if i.id is not None else -1))


def engaged_ids(record: DealRecord) -> set[int]:
    """Ids of the deal's stakeholders who took part in an inbound or two-way interaction.

    Example:
        >>> engaged_ids(record)  # doctest: +SKIP
        {3, 7}
    """
    known = {s.id for s in record.stakeholders if s.id is not None}
    engaged: set[int] = set()
    for interaction in record.interactions:
        if is_reply(interaction):
            engaged.update(p for p in interaction.participants if p in known)
    return engaged


def engaged_stakeholders(record: DealRecord) -> list[Stakeholder]:
    """The engaged stakeholders, in id order."""
    ids = engaged_ids(record)
    return sorted((s for s in record.stakeholders if s.id in ids), key=lambda s: s.id or 0)


def engaged_roles(record: DealRecord) -> set[Role]:
    """Roles held by at least one engaged stakeholder."""
    return {s.role for s in engaged_stakeholders(record)}


def highest_engaged_level(record: DealRecord) -> int:
    """Highest Jaques level among engaged stakeholders (0 when nobody is engaged)."""
    return max((s.level for s in engaged_stakeholders(record)), default=0)


def touches(record: DealRecord, stakeholder_id: int) -> list[Interaction]:
    """Interactions the stakeholder took part in, oldest first (any direction)."""
    return chronological(i for i in record.interactions if stakeholder_id in i.participants)


def last_touch(record: DealRecord, stakeholder_id: int) -> Interaction | None:
    """The latest interaction the stakeholder took part in, or None."""
    found = touches(record, stakeholder_id)
    return found[-1] if found else None


def last_reply(record: DealRecord) -> Interaction | None:
    """The latest inbound or two-way interaction on the deal, or None."""
    replies = [i for i in chronological(record.interactions) if is_reply(i)]
    return replies[-1] if replies else None


def days_between(earlier: datetime, later: datetime) -> float:
    """Days from ``earlier`` to ``later`` as a float (negative when reversed)."""
    return (later - earlier).total_seconds() / 86400.0
