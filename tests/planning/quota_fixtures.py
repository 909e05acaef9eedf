"""Plan rates built by hand for the goal-tree tests (no history, every number chosen)."""

from __future__ import annotations

from typing import Any

from dealgraph.core.enums import Channel
from dealgraph.planning.assumptions import PlanRates
from dealgraph.planning.rates import ChannelRate, Rate, StageRate, StageTiming


def plan(value: float) -> Rate:
    """A rate as a plan file gives it."""
    return Rate(value=value, source="plan file")


def stage_rate(stage: str, next_stage: str, value: float) -> StageRate:
    """A conversion out of ``stage`` set in a plan file (titles are the keys, capitalised)."""
    return StageRate(
        stage=stage,
        title=stage.capitalize(),
        next_stage=next_stage,
        next_title=next_stage.capitalize(),
        rate=plan(value),
    )


def make_rates(**overrides: Any) -> PlanRates:
    """Rates for quota 2,000,000 at 22 % and 60,000 a deal, no stages; override any field."""
    fields: dict[str, Any] = {
        "currency": "USD",
        "average_deal": plan(60_000),
        "win_rate": plan(0.22),
        "conversions": [],
        "cycle_p50": plan(60),
        "cycle_p90": plan(100),
        "timing": [],
        "channels": [],
        "conversations_per_advance": None,
        "activities_per_advance": None,
        "sellers": plan(4),
        "weeks": plan(13),
    }
    return PlanRates.model_validate(fields | overrides)


MEDDPICC_STAGES = ("discover", "qualify", "validate", "commit", "closed_won")


def staged_rates(**overrides: Any) -> PlanRates:
    """Four stage conversions (0.5, 0.6, 0.7, 0.8), 25,000 a deal, 5 sellers over 12 weeks."""
    keys = MEDDPICC_STAGES
    shares = (0.5, 0.6, 0.7, 0.8)
    days = ((100, 150), (80, 120), (50, 90), (20, 40))
    fields: dict[str, Any] = {
        "average_deal": plan(25_000),
        "win_rate": plan(0.5 * 0.6 * 0.7 * 0.8),
        "conversions": [stage_rate(keys[i], keys[i + 1], shares[i]) for i in range(4)],
        "timing": [
            StageTiming(
                stage=keys[i], title=keys[i].capitalize(), p50=p50, p90=p90, source="plan file"
            )
            for i, (p50, p90) in enumerate(days)
        ],
        "channels": [
            ChannelRate(channel=Channel.FIELD, conversation=True, rate=plan(1.0)),
            ChannelRate(channel=Channel.VIRTUAL, conversation=True, rate=plan(1.5)),
            ChannelRate(channel=Channel.EMAIL, conversation=False, rate=plan(3.5)),
        ],
        "conversations_per_advance": plan(2.5),
        "activities_per_advance": plan(6),
        "sellers": plan(5),
        "weeks": plan(12),
    }
    return make_rates(**(fields | overrides))
