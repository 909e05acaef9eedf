"""What the workspace's own deals teach: days per stage and what each play did per channel.

``build_history`` walks every deal's stage history and interactions once. An empty
``History()`` is valid and means "no history": the GPS then falls back to the playbook.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.engagement import days_between
from dealgraph.core.enums import Outcome
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook


class History(BaseModel):
    """Statistics learned from the workspace's deals on one playbook."""

    model_config = ConfigDict(extra="forbid")

    deals: int = Field(default=0, description="deals the history was built from")
    deals_by_status: dict[str, int] = Field(
        default_factory=dict, description="deals per status (open, won, lost, no_decision)"
    )
    stage_days: dict[str, list[float]] = Field(
        default_factory=dict, description="days spent in each completed visit of a stage"
    )
    stage_deals: dict[str, int] = Field(
        default_factory=dict, description="distinct deals with a completed visit of a stage"
    )
    play_channel: dict[str, dict[str, tuple[int, int]]] = Field(
        default_factory=dict,
        description="play -> channel -> (attempts, advanced): advanced means the interaction's "
        "outcome was 'advanced' or it produced evidence",
    )

    def deals_through(self, stage: str) -> int:
        """How many deals completed a visit of ``stage``."""
        return self.stage_deals.get(stage, 0)

    def has_enough(self, stage: str, min_history: int) -> bool:
        """True when at least ``min_history`` deals completed a visit of ``stage``."""
        return self.deals_through(stage) >= min_history and bool(self.stage_days.get(stage))

    def play_counts(self, play: str, channel: str) -> tuple[int, int]:
        """(attempts, advanced) of a play on a channel; (0, 0) when never tried."""
        return self.play_channel.get(play, {}).get(channel, (0, 0))


def stage_visits(record: DealRecord, playbook: Playbook) -> list[tuple[str, datetime, datetime]]:
    """Completed visits of the deal as (stage, entered, left), oldest first.

    The deal starts in the first change's ``from_stage`` (else the playbook's start) at its
    creation; each stage change ends one visit and starts the next. The visit in progress
    is not completed and so not returned.
    """
    changes = sorted(
        record.stage_changes, key=lambda c: (c.changed_at, c.id if c.id is not None else -1)
    )
    if not changes:
        return []
    stage = changes[0].from_stage or playbook.start_stage
    entered = record.deal.created_at
    visits: list[tuple[str, datetime, datetime]] = []
    for change in changes:
        if change.changed_at >= entered:
            visits.append((stage, entered, change.changed_at))
        stage, entered = change.to_stage, change.changed_at
    known = set(playbook.journey_order)
    return [v for v in visits if v[0] in known]


def build_history(records: Iterable[DealRecord], playbook: Playbook) -> History:
    """Learn stage durations and play effectiveness from the workspace's deals.

    Example:
        >>> history = build_history(records, playbook)  # doctest: +SKIP
        >>> history.stage_deals["define_problem"], history.play_counts("discovery", "field")
        (41, (120, 57))
    """
    stage_days: dict[str, list[float]] = defaultdict(list)
    stage_deals: Counter[str] = Counter()
    attempts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    statuses: Counter[str] = Counter()
    deals = 0
    for record in records:
        deals += 1
        statuses[record.deal.status.value] += 1
        seen: set[str] = set()
        for stage, entered, left in stage_visits(record, playbook):
            stage_days[stage].append(days_between(entered, left))
            seen.add(stage)
        stage_deals.update(seen)
        for interaction in record.interactions:
            if interaction.play is None:
                continue
            counts = attempts[(interaction.play, interaction.channel.value)]
            counts[0] += 1
            if interaction.outcome == Outcome.ADVANCED or interaction.evidence:
                counts[1] += 1
    play_channel: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for (play, channel), (tried, advanced) in sorted(attempts.items()):
        play_channel[play][channel] = (tried, advanced)
    return History(
        deals=deals,
        deals_by_status=dict(sorted(statuses.items())),
        stage_days={k: sorted(v) for k, v in sorted(stage_days.items())},
        stage_deals=dict(sorted(stage_deals.items())),
        play_channel=dict(play_channel),
    )
