"""Vectorised Monte Carlo of a scenario: many deals at once through the stage chain.

Every deal starts at the playbook's start stage. Each step draws, for all deals still
moving, the days of their current visit (lognormal) and where the visit leads (one
uniform through a per-stage alias table), then drops the deals that ended. The loop runs
over steps, never over deals. Interactions follow the plan: a visit of a stage holds the
stage's channel mix, so a deal's interactions, hours and cost are its visits times the
mix; their spread across deals comes from the routes deals take (regressions, early
exits). Deals are split into fixed chunks, each with its own child seed, so the result is
the same for a seed whatever the number of threads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.errors import InvalidInput
from dealgraph.planning.markov import ENDS, Chain, FloatArray

CHUNK = 131_072
"""Deals per chunk: big enough for numpy to stream, small enough to stay in cache."""

MAX_STEPS = 10_000
"""Visits after which a deal still moving means a design that practically never ends."""

VELOCITY_DEALS = 100
VELOCITY_DAYS = 30.0
"""Velocity is bookings per 30 days from a pipeline of 100 deals of the design."""

MAX_DEALS = 20_000_000

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SimulationRun:
    """Per-deal results: outcome (0 won, 1 lost, 2 no decision), days, visits, value."""

    chain: Chain
    seed: int
    outcome: npt.NDArray[np.int8]
    cycle_days: FloatArray
    visits: npt.NDArray[np.int32]
    value: FloatArray

    @property
    def deals(self) -> int:
        return int(self.outcome.size)

    @cached_property
    def won(self) -> npt.NDArray[np.bool_]:
        """True for the deals that ended won."""
        return np.equal(self.outcome, 0)

    def interactions(self) -> FloatArray:
        """Interactions per deal by channel (deals x channels): visits times the mix."""
        result: FloatArray = self.visits.astype(np.float64) @ self.chain.mix
        return result

    @cached_property
    def hours(self) -> FloatArray:
        """Seller hours per deal."""
        result: FloatArray = np.einsum("ij,j->i", self.visits, self.chain.hours_per_visit)
        return result

    @cached_property
    def cost(self) -> FloatArray:
        """Cost per deal."""
        result: FloatArray = np.einsum("ij,j->i", self.visits, self.chain.cost_per_visit)
        return result

    def hours_by_channel(self) -> FloatArray:
        """Seller hours per deal by channel (deals x channels)."""
        result: FloatArray = self.interactions() * self.chain.hours
        return result

    def cost_by_channel(self) -> FloatArray:
        """Cost per deal by channel (deals x channels)."""
        result: FloatArray = self.interactions() * self.chain.cost
        return result


class SimulationSummary(BaseModel):
    """What a simulated design yields: rates, cycle times, effort and money."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deals: int
    seed: int
    won: int
    lost: int
    no_decision: int
    win_rate: float
    loss_rate: float
    no_decision_rate: float
    cycle_p50_won: float | None = Field(description="median days of won deals")
    cycle_p90_won: float | None = Field(description="90th percentile days of won deals")
    cycle_mean_won: float | None
    cycle_mean: float = Field(description="mean days until a deal ends, any outcome")
    cost_per_deal: float
    hours_per_deal: float
    cost_per_win: float | None = Field(description="cost of every deal over the wins")
    hours_per_win: float | None
    mean_value: float
    currency: str
    velocity: float | None = Field(
        description="mean value x win rate x 100 deals / mean won cycle days, per 30 days"
    )
    visits: dict[str, float] = Field(description="mean visits per deal by stage")
    interactions: dict[str, float] = Field(description="mean interactions per deal by channel")
    hours_by_channel: dict[str, float]
    cost_by_channel: dict[str, float]


def simulate(chain: Chain, *, deals: int, seed: int, workers: int | None = None) -> SimulationRun:
    """Run ``deals`` deals through the chain; the same seed gives the same run.

    Example:
        >>> run = simulate(build_chain(scenario, playbook), deals=100_000, seed=1)  # doctest: +SKIP
        >>> summarize(run).win_rate  # doctest: +SKIP
        0.3121
    """
    if not 1 <= deals <= MAX_DEALS:
        raise InvalidInput(f"deals must be from 1 to {MAX_DEALS:,}, got {deals:,}", where="deals")
    size = len(chain.stages)
    outcome = np.empty(deals, np.int8)
    cycle = np.zeros(deals)
    visits = np.zeros((deals, size), np.int32)
    value = np.empty(deals)
    columns = chain.transitions.shape[1]
    threshold, alias = alias_tables(chain.transitions)
    bounds = [(start, min(start + CHUNK, deals)) for start in range(0, deals, CHUNK)]
    seeds = np.random.SeedSequence(seed).spawn(len(bounds))

    def run_chunk(index: int) -> None:
        low, high = bounds[index]
        rng = np.random.default_rng(seeds[index])
        _walk(
            chain,
            rng,
            threshold,
            alias,
            columns,
            outcome[low:high],
            cycle[low:high],
            visits[low:high].reshape(-1),
        )
        value[low:high] = _values(chain, rng, high - low)

    threads = max(1, min(workers or os.cpu_count() or 1, len(bounds)))
    if threads == 1:
        for index in range(len(bounds)):
            run_chunk(index)
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run_chunk, range(len(bounds))))
    return SimulationRun(chain, seed, outcome, cycle, visits, value)


def alias_tables(transitions: FloatArray) -> tuple[FloatArray, IntArray]:
    """Walker's alias tables, one row per stage, for sampling a row with one uniform.

    Column ``j`` of a row is taken when ``frac < threshold[j]`` and ``alias[j]`` otherwise,
    with ``j`` the integer part and ``frac`` the fraction of ``u * columns``.
    """
    rows, columns = transitions.shape
    threshold = np.ones((rows, columns))
    alias = np.tile(np.arange(columns), (rows, 1))
    for row in range(rows):
        scaled = transitions[row] * columns / transitions[row].sum()
        small = [j for j in range(columns) if scaled[j] < 1.0]
        large = [j for j in range(columns) if scaled[j] >= 1.0]
        while small and large:
            low, high = small.pop(), large.pop()
            threshold[row, low] = scaled[low]
            alias[row, low] = high
            scaled[high] -= 1.0 - scaled[low]
            (small if scaled[high] < 1.0 else large).append(high)
        # whatever is left is 1 up to rounding: always take the column itself
        for j in small + large:
            threshold[row, j] = 1.0
    return threshold.reshape(-1), alias.reshape(-1)


def _walk(
    chain: Chain,
    rng: np.random.Generator,
    threshold: FloatArray,
    alias: IntArray,
    columns: int,
    outcome: npt.NDArray[np.int8],
    cycle: FloatArray,
    visits: npt.NDArray[np.int32],
) -> None:
    """Move one chunk of deals until every one has ended, writing into the given views."""
    size = len(chain.stages)
    active = np.arange(outcome.size)
    stage = np.full(outcome.size, chain.start, dtype=np.int64)
    # single precision is plenty for days (7 digits) and a third faster to draw and exp
    log_median = chain.log_median_days.astype(np.float32)
    sigma = chain.sigma_days.astype(np.float32)
    for _ in range(MAX_STEPS):
        if not active.size:
            return
        normal = rng.standard_normal(active.size, dtype=np.float32)
        days = np.exp(log_median[stage] + sigma[stage] * normal)
        cycle[active] += days
        visits[active * size + stage] += 1
        draw = rng.random(active.size) * columns
        column = draw.astype(np.int64)
        cell = stage * columns + column
        target = np.where(draw - column < threshold[cell], column, alias[cell])
        ended = target >= size
        outcome[active[ended]] = target[ended] - size
        moving = ~ended
        active, stage = active[moving], target[moving]
    raise InvalidInput(
        f"{active.size:,} deals still moving after {MAX_STEPS:,} stage visits: the design "
        "almost never lets a deal end",
        where="stages",
    )


def _values(chain: Chain, rng: np.random.Generator, count: int) -> FloatArray:
    if chain.value_zero:
        return np.zeros(count)
    result: FloatArray = np.exp(
        chain.value_log_median + chain.value_sigma * rng.standard_normal(count)
    )
    return result


def summarize(run: SimulationRun) -> SimulationSummary:
    """Rates, cycle times of won deals, effort and money per deal and per win, velocity."""
    chain = run.chain
    counts = np.bincount(run.outcome, minlength=len(ENDS))
    won_days = run.cycle_days[run.won]
    wins = int(counts[0])
    win_rate = wins / run.deals
    mean_value = float(run.value.mean())
    cycle_mean_won = float(won_days.mean()) if wins else None
    velocity = None
    if cycle_mean_won:
        velocity = mean_value * win_rate * VELOCITY_DEALS / cycle_mean_won * VELOCITY_DAYS
    p50, p90 = (float(x) for x in np.quantile(won_days, [0.5, 0.9])) if wins else (None, None)
    total_cost, total_hours = float(run.cost.sum()), float(run.hours.sum())
    # means of linear functions of the visits: no per-deal matrix needed
    mean_visits = run.visits.sum(axis=0, dtype=np.int64) / run.deals
    interactions = mean_visits @ chain.mix
    return SimulationSummary(
        deals=run.deals,
        seed=run.seed,
        won=wins,
        lost=int(counts[1]),
        no_decision=int(counts[2]),
        win_rate=win_rate,
        loss_rate=int(counts[1]) / run.deals,
        no_decision_rate=int(counts[2]) / run.deals,
        cycle_p50_won=p50,
        cycle_p90_won=p90,
        cycle_mean_won=cycle_mean_won,
        cycle_mean=float(run.cycle_days.mean()),
        cost_per_deal=total_cost / run.deals,
        hours_per_deal=total_hours / run.deals,
        cost_per_win=total_cost / wins if wins else None,
        hours_per_win=total_hours / wins if wins else None,
        mean_value=mean_value,
        currency=chain.currency,
        velocity=velocity,
        visits=_means(chain.stages, mean_visits),
        interactions=_means(chain.channels, interactions),
        hours_by_channel=_means(chain.channels, interactions * chain.hours),
        cost_by_channel=_means(chain.channels, interactions * chain.cost),
    )


class CycleHistogram(BaseModel):
    """Won deals counted by cycle days in bins of equal width starting at 0 days."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    edges: list[float] = Field(description="bin edges in days; a bin holds left <= days < right")
    counts: list[int] = Field(description="won deals per bin")
    beyond: int = Field(description="won deals at or past the last edge")


HISTOGRAM_BINS = 40
HISTOGRAM_COVER = 0.995
"""Bins reach the 99.5th percentile of the slowest design's won days; the rest is ``beyond``."""


def cycle_edges(runs: Sequence[SimulationRun], *, bins: int = HISTOGRAM_BINS) -> FloatArray:
    """Edges shared by the runs: a round width (1, 2 or 5 x 10^k days) from 0 past the top.

    Example:
        >>> cycle_edges([run_a, run_b])[:3]  # doctest: +SKIP
        array([ 0., 10., 20.])
    """
    tops = [float(np.quantile(r.cycle_days[r.won], HISTOGRAM_COVER)) for r in runs if r.won.any()]
    top = max(tops, default=1.0)
    raw = max(top / bins, 1e-9)
    scale = 10.0 ** math.floor(math.log10(raw))
    width = next(step * scale for step in (1.0, 2.0, 5.0, 10.0) if step * scale >= raw)
    result: FloatArray = np.arange(math.ceil(top / width) + 1, dtype=np.float64) * width
    return result


def cycle_histogram(run: SimulationRun, edges: FloatArray) -> CycleHistogram:
    """The run's won deals by cycle days on ``edges`` (from :func:`cycle_edges`)."""
    days = run.cycle_days[run.won]
    bins = len(edges) - 1
    index = np.searchsorted(edges, days, side="right") - 1
    inside = index < bins
    counts = np.bincount(index[inside], minlength=bins)
    return CycleHistogram(
        edges=[float(edge) for edge in edges],
        counts=[int(count) for count in counts],
        beyond=int((~inside).sum()),
    )


def _means(keys: tuple[str, ...], values: FloatArray) -> dict[str, float]:
    return {key: float(v) for key, v in zip(keys, values, strict=True) if math.isfinite(v)}
