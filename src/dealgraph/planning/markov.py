"""The scenario as an absorbing Markov chain, and its closed-form results.

Transient states are the playbook's working stages; absorbing states are won, lost and
no decision. With ``Q`` the stage-to-stage probabilities and ``R`` the stage-to-end
probabilities, the fundamental matrix ``N = (I - Q)^-1`` holds expected visits, ``B = N R``
the absorption probabilities. Time in a stage is drawn afresh on every visit, independent
of where the visit leads, so expected days follow from expected visits times mean days;
the expected cycle of won deals uses ``E[T 1{won}] = sum_j N[s, j] m_j B[j, won]`` (after
any visit of ``j`` the chance to end won is ``B[j, won]`` whatever came before).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.scenario import WON, Scenario, target_shares, working_stages

ENDS = (WON, "lost", "no_decision")
"""The absorbing states, in the order of the columns of ``R`` and of outcome codes."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Chain:
    """A scenario as arrays: transitions, time in stage, channel mix, costs, value.

    ``transitions`` has one row per stage and one column per stage then per end
    (won, lost, no decision); each row sums to 1.
    """

    stages: tuple[str, ...]
    start: int
    transitions: FloatArray
    log_median_days: FloatArray
    sigma_days: FloatArray
    channels: tuple[str, ...]
    mix: FloatArray
    hours: FloatArray
    cost: FloatArray
    value_log_median: float
    value_sigma: float
    value_zero: bool
    currency: str

    @property
    def q(self) -> FloatArray:
        """Stage-to-stage probabilities (S x S)."""
        return self.transitions[:, : len(self.stages)]

    @property
    def r(self) -> FloatArray:
        """Stage-to-end probabilities (S x 3: won, lost, no decision)."""
        return self.transitions[:, len(self.stages) :]

    @property
    def mean_days(self) -> FloatArray:
        """Expected days of one visit of each stage."""
        result: FloatArray = np.exp(self.log_median_days + self.sigma_days**2 / 2)
        return result

    @property
    def hours_per_visit(self) -> FloatArray:
        """Seller hours one visit of each stage takes (its mix times hours per channel)."""
        result: FloatArray = self.mix @ self.hours
        return result

    @property
    def cost_per_visit(self) -> FloatArray:
        """Cost of one visit of each stage (its mix times cost per channel)."""
        result: FloatArray = self.mix @ self.cost
        return result

    @property
    def mean_value(self) -> float:
        """Expected deal value."""
        if self.value_zero:
            return 0.0
        return math.exp(self.value_log_median + self.value_sigma**2 / 2)


def build_chain(scenario: Scenario, playbook: Playbook) -> Chain:
    """The arrays of a valid scenario on its playbook (the loader has checked it).

    Example:
        >>> chain = build_chain(scenario, playbook)  # doctest: +SKIP
        >>> chain.transitions.sum(axis=1)  # doctest: +SKIP
        array([1., 1., 1., 1., 1., 1., 1., 1.])
    """
    stages = tuple(working_stages(playbook))
    column = {key: i for i, key in enumerate((*stages, *ENDS))}
    transitions = np.zeros((len(stages), len(column)))
    for row, key in enumerate(stages):
        for target, probability in target_shares(playbook, key, scenario.stages[key]).items():
            transitions[row, column[target]] += probability
    transitions /= transitions.sum(axis=1, keepdims=True)
    channels = tuple(sorted({c for spec in scenario.stages.values() for c in spec.mix}))
    mix = np.array([[scenario.stages[k].mix.get(c, 0.0) for c in channels] for k in stages])
    costs = [scenario.channels.get(c) for c in channels]
    return Chain(
        stages=stages,
        start=stages.index(playbook.start_stage),
        transitions=transitions,
        log_median_days=np.log([scenario.stages[k].days.p50 for k in stages]),
        sigma_days=np.array([scenario.stages[k].days.shape for k in stages]),
        channels=channels,
        mix=mix.reshape(len(stages), len(channels)),
        hours=np.array([c.hours if c else 0.0 for c in costs]),
        cost=np.array([c.cost if c else 0.0 for c in costs]),
        value_log_median=math.log(scenario.value.p50) if scenario.value.p50 > 0 else 0.0,
        value_sigma=scenario.value.shape,
        value_zero=scenario.value.p50 <= 0,
        currency=scenario.value.currency,
    )


class Absorption(BaseModel):
    """Where deals starting in one stage end: probabilities of won, lost, no decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    won: float
    lost: float
    no_decision: float


class ClosedForm(BaseModel):
    """Exact results of the chain for a deal starting at the playbook's start stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    win_rate: float = Field(description="probability to end won")
    loss_rate: float = Field(description="probability to end lost")
    no_decision_rate: float = Field(description="probability to end with no decision")
    visits: dict[str, float] = Field(description="expected visits per stage")
    cycle_days: float = Field(description="expected days until the deal ends, any outcome")
    cycle_days_won: float | None = Field(description="expected days of won deals")
    interactions: dict[str, float] = Field(description="expected interactions per deal")
    hours_per_deal: float
    cost_per_deal: float
    cost_per_win: float | None
    hours_per_win: float | None
    from_stage: dict[str, Absorption] = Field(
        description="absorption probabilities for a deal in each stage (the rows of B)"
    )


def fundamental_matrix(chain: Chain) -> FloatArray:
    """N = (I - Q)^-1: expected visits of each stage (column) from each stage (row)."""
    size = len(chain.stages)
    try:
        result = np.linalg.solve(np.eye(size) - chain.q, np.eye(size))
    except np.linalg.LinAlgError:
        raise InvalidInput(
            "the stages form a closed loop no deal can leave", where="stages"
        ) from None
    return np.asarray(result, dtype=np.float64)


def closed_form(chain: Chain) -> ClosedForm:
    """Absorption probabilities, expected visits, days, interactions, hours and cost.

    Example:
        >>> closed_form(build_chain(scenario, playbook)).win_rate  # doctest: +SKIP
        0.3128
    """
    fundamental = fundamental_matrix(chain)
    absorption = fundamental @ chain.r
    visits = fundamental[chain.start]
    mean_days = chain.mean_days
    won = float(absorption[chain.start, 0])
    won_days = float(visits @ (mean_days * absorption[:, 0]))
    cost = float(visits @ chain.cost_per_visit)
    hours = float(visits @ chain.hours_per_visit)
    interactions = visits @ chain.mix
    return ClosedForm(
        win_rate=won,
        loss_rate=float(absorption[chain.start, 1]),
        no_decision_rate=float(absorption[chain.start, 2]),
        visits={key: float(v) for key, v in zip(chain.stages, visits, strict=True)},
        cycle_days=float(visits @ mean_days),
        cycle_days_won=won_days / won if won > 0 else None,
        interactions={c: float(n) for c, n in zip(chain.channels, interactions, strict=True)},
        hours_per_deal=hours,
        cost_per_deal=cost,
        cost_per_win=cost / won if won > 0 else None,
        hours_per_win=hours / won if won > 0 else None,
        from_stage={
            key: Absorption(won=float(row[0]), lost=float(row[1]), no_decision=float(row[2]))
            for key, row in zip(chain.stages, absorption, strict=True)
        },
    )
