"""The pipeline and its history as they stood at one moment, rebuilt from time-stamped records.

A forecast made "as of" a moment may only use what was known then: deals created before
it, closes before it, stage changes before it. ``snapshot`` applies that rule once, so
the live forecast (as of now) and every backtest period (as of a past quarter start)
read the workspace the same way.

- A deal exists from ``created_at``; it is closed at the moment when its status is won,
  lost or no decision and ``closed_at`` is before the moment; otherwise it is open.
- Its stage then is the ``to_stage`` of its last stage change before the moment, else the
  first change's ``from_stage`` (else the playbook's start) since creation. A stage the
  playbook does not know counts as the start stage.
- A deal with no stage changes at all has no journey history (a CRM export with only the
  current stage, say): where it was while open, and since when, is unknown. It counts as
  a deal in the start stage since its creation, for the time to close and the win rates
  alike, whatever its status and recorded stage; an open one keeps its recorded stage
  for people to read (``stage``) and is modelled from creation (``model_stage``;
  ``from_creation`` when the two differ). Deals with a history and deals without are so
  read on one clock.
- Closed deals without a close date cannot be placed in time: they are left out and
  counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.survival import Observation

SECONDS_PER_DAY = 86_400.0


def days_between(start: datetime, end: datetime) -> float:
    """Days (with fractions) from ``start`` to ``end``."""
    return (end - start).total_seconds() / SECONDS_PER_DAY


@dataclass(frozen=True)
class OpenDeal:
    """A deal open at the snapshot's moment, in the stage it was in then."""

    deal_id: int
    title: str
    owner: str
    value: float
    currency: str
    playbook: str
    stage: str
    """The stage it was in (as recorded, for a deal with no stage history)."""
    model_stage: str
    """The stage whose history models it: ``stage``, or the start stage when
    ``from_creation``."""
    entered_at: datetime
    """When the clock of ``model_stage`` started for it."""
    created_at: datetime
    from_creation: bool = False
    """No stage history and recorded in a later stage: modelled from creation in the start."""


@dataclass(frozen=True)
class ClosedDeal:
    """A deal closed before the snapshot's moment."""

    deal_id: int
    status: DealStatus
    value: float
    currency: str
    playbook: str
    created_at: datetime
    closed_at: datetime


@dataclass(frozen=True)
class Snapshot:
    """What was known at ``as_of``: the open pipeline and the history behind the forecast."""

    as_of: datetime
    open_deals: list[OpenDeal]
    closed_deals: list[ClosedDeal]
    observations: dict[str, list[Observation]]
    """Per playbook: days from entering each stage to close (or to ``as_of``, censored)."""
    reached: dict[tuple[str, str], tuple[int, int]]
    """(playbook, stage) -> (won, closed) among closed deals that reached the stage."""
    undated: int = 0
    """Closed deals without a close date, left out."""
    currencies: Counter[str] = field(default_factory=Counter)
    """Deals per currency that existed at ``as_of`` (open or closed)."""


@dataclass(frozen=True)
class _Journey:
    """What the snapshot reads from a playbook, looked up once rather than per deal."""

    start: str
    index: dict[str, int]
    won_stages: frozenset[str]

    @classmethod
    def of(cls, playbook: Playbook) -> _Journey:
        order = playbook.journey_order
        return cls(
            start=playbook.start_stage,
            index={stage: i for i, stage in enumerate(order)},
            won_stages=frozenset(s.key for s in playbook.stages if s.end == "won"),
        )

    def known(self, stage: str | None) -> str:
        """The stage itself when the playbook knows it, else the start stage."""
        return stage if stage is not None and stage in self.index else self.start


def _entries(record: DealRecord, journey: _Journey, as_of: datetime) -> list[tuple[str, datetime]]:
    """Stages the deal entered before ``as_of``, as (stage, entered), oldest first."""
    deal = record.deal
    changes = sorted(
        record.stage_changes, key=lambda c: (c.changed_at, c.id if c.id is not None else -1)
    )
    if not changes:  # no journey history: the start stage since creation
        return [(journey.start, deal.created_at)]
    entries = [(journey.known(changes[0].from_stage), deal.created_at)]
    entries.extend(
        (journey.known(c.to_stage), max(c.changed_at, deal.created_at))
        for c in changes
        if c.changed_at < as_of
    )
    return entries


def snapshot(
    records: Iterable[DealRecord], playbooks: Mapping[str, Playbook], *, as_of: datetime
) -> Snapshot:
    """The open pipeline at ``as_of`` and the history known then (nothing from after it).

    Example:
        >>> snap = snapshot(records, {"buyer-journey": playbook}, as_of=datetime(2025, 4, 1))
        >>> len(snap.open_deals), len(snap.closed_deals)  # doctest: +SKIP
        (96, 104)
    """
    open_deals: list[OpenDeal] = []
    closed_deals: list[ClosedDeal] = []
    observations: dict[str, list[Observation]] = {key: [] for key in playbooks}
    reached: Counter[tuple[str, str, bool]] = Counter()
    currencies: Counter[str] = Counter()
    undated = 0
    journeys = {key: _Journey.of(playbook) for key, playbook in playbooks.items()}
    for record in records:
        deal = record.deal
        if deal.created_at >= as_of:
            continue
        if deal.status != DealStatus.OPEN and deal.closed_at is None:
            undated += 1
            continue
        journey = journeys.get(deal.playbook)
        if journey is None:
            raise InvalidInput(f"unknown playbook {deal.playbook!r}", where=f"deal {deal.id}")
        assert deal.id is not None
        currencies[deal.currency] += 1
        closed_at = deal.closed_at if deal.status != DealStatus.OPEN else None
        closed = closed_at is not None and closed_at < as_of
        ended_at = closed_at if closed and closed_at is not None else as_of
        entries = _entries(record, journey, ended_at)
        last_entry: dict[str, tuple[datetime, datetime]] = {}
        for index, (stage, entered) in enumerate(entries):
            if entered <= ended_at and stage not in journey.won_stages:
                left = entries[index + 1][1] if index + 1 < len(entries) else ended_at
                last_entry[stage] = (entered, min(left, ended_at))
        won = closed and deal.status == DealStatus.WON
        observations[deal.playbook].extend(
            Observation(
                deal.id,
                stage,
                days_between(entered, ended_at),
                closed,
                won,
                days_between(entered, left),
            )
            for stage, (entered, left) in last_entry.items()
        )
        if closed:
            closed_deals.append(
                ClosedDeal(
                    deal.id,
                    deal.status,
                    deal.value,
                    deal.currency,
                    deal.playbook,
                    deal.created_at,
                    ended_at,
                )
            )
            furthest = max(journey.index[s] for s, _ in entries)
            if won and record.stage_changes:  # a win went all the way
                furthest = len(journey.index) - 1
            for stage, position in journey.index.items():
                if position <= furthest:
                    reached[(deal.playbook, stage, won)] += 1
            continue
        stage, entered = entries[-1]
        recorded = journey.known(deal.stage) if not record.stage_changes else stage
        open_deals.append(
            OpenDeal(
                deal_id=deal.id,
                title=deal.title,
                owner=deal.owner,
                value=deal.value,
                currency=deal.currency,
                playbook=deal.playbook,
                stage=recorded,
                model_stage=stage,
                entered_at=entered,
                created_at=deal.created_at,
                from_creation=recorded != stage,
            )
        )
    stages = {(p, s) for p, s, _ in reached}
    return Snapshot(
        as_of=as_of,
        open_deals=open_deals,
        closed_deals=closed_deals,
        observations=observations,
        reached={
            (p, s): (reached[(p, s, True)], reached[(p, s, True)] + reached[(p, s, False)])
            for p, s in sorted(stages)
        },
        undated=undated,
        currencies=currencies,
    )
