"""What a signal is, and the facts about one deal that every built-in check reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.context import (
    current_stage,
    deal_context,
    naive_utc,
)
from dealgraph.core.engagement import chronological, engaged_stakeholders
from dealgraph.core.history import History
from dealgraph.core.model import DealRecord, Interaction, Stakeholder
from dealgraph.core.playbook.schema import Playbook, Severity

SEVERITY_RANK: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}


class SignalEvidence(BaseModel):
    """What a signal fired on: interactions, stakeholders, decisions and the numbers."""

    model_config = ConfigDict(extra="forbid")

    interactions: list[int] = Field(default_factory=list)
    stakeholders: list[int] = Field(default_factory=list)
    decisions: list[int] = Field(default_factory=list)
    numbers: dict[str, int | float] = Field(default_factory=dict)


class Signal(BaseModel):
    """A warning about a deal, with the advice and the evidence behind it."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: str
    severity: Severity
    message: str
    advice: str
    source: Literal["builtin", "playbook"]
    evidence: SignalEvidence = Field(default_factory=SignalEvidence)


@dataclass
class SignalFacts:
    """Everything the checks read about one deal, computed once."""

    record: DealRecord
    playbook: Playbook
    history: History
    as_of: datetime
    min_history: int
    context: dict[str, object]
    stage: str
    stage_index: int
    interactions: list[Interaction]
    engaged: list[Stakeholder]
    engaged_ids: set[int] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        record: DealRecord,
        playbook: Playbook,
        history: History,
        *,
        as_of: datetime,
        min_history: int,
    ) -> SignalFacts:
        """Compute the facts of one deal at ``as_of``."""
        as_of = naive_utc(as_of)
        stage = current_stage(record, playbook)
        engaged = engaged_stakeholders(record)
        return cls(
            record=record,
            playbook=playbook,
            history=history,
            as_of=as_of,
            min_history=min_history,
            context=deal_context(record, playbook, as_of=as_of),
            stage=stage,
            stage_index=playbook.stage_index(stage),
            interactions=chronological(record.interactions),
            engaged=engaged,
            engaged_ids={s.id for s in engaged if s.id is not None},
        )

    def number(self, name: str) -> int:
        """An int field of the deal context."""
        value = self.context[name]
        assert isinstance(value, int)
        return value

    @property
    def late_stage_index(self) -> int:
        """Index of the journey's midpoint: from here on a deal counts as late."""
        return len(self.playbook.stages) // 2


@dataclass(frozen=True)
class BuiltinSignal:
    """One entry of the library: key, title, default advice and the check."""

    key: str
    title: str
    advice: str
    check: Callable[[SignalFacts, BuiltinSignal], Signal | None]

    def fire(
        self,
        severity: Severity,
        message: str,
        *,
        interactions: Iterable[int | None] = (),
        stakeholders: Iterable[int | None] = (),
        decisions: Iterable[int | None] = (),
        numbers: dict[str, int | float] | None = None,
    ) -> Signal:
        """Build this signal with its evidence (ids sorted, unknown ids dropped)."""
        return Signal(
            key=self.key,
            title=self.title,
            severity=severity,
            message=message,
            advice=self.advice,
            source="builtin",
            evidence=SignalEvidence(
                interactions=_ids(interactions),
                stakeholders=_ids(stakeholders),
                decisions=_ids(decisions),
                numbers=numbers or {},
            ),
        )


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({v for v in values if v is not None})


def stage_p90(facts: SignalFacts, stage: str) -> tuple[float, str]:
    """The stage's p90 days and where it came from ("history" or "playbook")."""
    if facts.history.has_enough(stage, facts.min_history):
        return float(np.quantile(facts.history.stage_days[stage], 0.9)), "history"
    return facts.playbook.stage(stage).duration.p90, "playbook"
