"""Monte Carlo of a period's bookings: every open deal books its value with its own probability.

Trial ``t`` books ``sum(value[i] for deals i with draw[t, i] < p[i])``. The draws are
32-bit unsigned integers taken straight from the bit generator of
``np.random.default_rng(seed)`` (two per 64-bit word) and compared against
``floor(p * 2**32)``, so each deal books with probability ``p`` to within 2**-32, as
fine as numpy's own single-precision uniforms, for half the random bits of a
double-precision uniform. Deals certain to book (p = 1) are added to every trial; deals
that cannot (p = 0) draw nothing.

Trials are simulated in chunks of about ``chunk_cells`` (deal, trial) cells, so memory
stays bounded (10,000 deals x 10,000 trials never holds more than one chunk), and a
chunk's draws are summed with one matrix-vector product. Chunks always span an even
number of cells, so the result depends on the seed alone, not on the chunk size.

``bookings_distribution`` sums it up: the closed-form expected value beside the Monte
Carlo mean and its standard error, P10/P50/P90, P(quota) and a histogram of the trials.

Example:
    >>> bookings = simulate_bookings([100.0, 50.0], [0.5, 1.0], trials=4, seed=1)
    >>> set(bookings.tolist()) <= {50.0, 150.0}
    True
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]

DEFAULT_CHUNK_CELLS = 1 << 16
"""Cells per chunk: 512 KiB of float64 mask, which stays in the processor's cache."""
MAX_TRIALS = 1_000_000
"""More trials than this add nothing a forecast can use and only cost memory."""
HISTOGRAM_BINS = 10
"""Bins of the histogram of trials a distribution carries."""
_SCALE = float(1 << 32)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HistogramBin(_Record):
    """Trials whose bookings fell in [low, high) (the last bin includes ``high``)."""

    low: float
    high: float
    trials: int
    share: float


class Distribution(_Record):
    """The simulated bookings of the period (already won plus the open deals that book)."""

    trials: int
    seed: int
    expected: float = Field(description="closed form: already won + sum(value * p)")
    mc_mean: float = Field(description="mean of the trials")
    standard_error: float = Field(description="standard error of the Monte Carlo mean")
    p10: float
    p50: float
    p90: float
    quota: float | None = None
    p_quota: float | None = Field(default=None, description="share of trials reaching quota")
    histogram: list[HistogramBin] = Field(default_factory=list)


def _checked(values: npt.ArrayLike, probabilities: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    value = np.asarray(values, dtype=np.float64)
    probability = np.asarray(probabilities, dtype=np.float64)
    if value.ndim != 1 or value.shape != probability.shape:
        raise InvalidInput(
            f"values and probabilities must be two lists of the same length, got "
            f"{value.shape} and {probability.shape}",
            where="deals",
        )
    if not np.all(np.isfinite(value)) or np.any(value < 0):
        raise InvalidInput("deal values must be finite and not negative", where="values")
    bad = ~((probability >= 0) & (probability <= 1))
    if np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        raise InvalidInput(
            f"probability {probability[first]!r} is outside 0..1", where=f"probabilities[{first}]"
        )
    return value, probability


def check_trials(trials: int) -> None:
    """Refuse a trial count outside 1..MAX_TRIALS, naming the option."""
    if not 1 <= trials <= MAX_TRIALS:
        raise InvalidInput(f"trials must be 1 to {MAX_TRIALS:,}, got {trials}", where="trials")


def rows_per_chunk(deals: int, chunk_cells: int = DEFAULT_CHUNK_CELLS) -> int:
    """Trials simulated together for ``deals`` uncertain deals: an even count, at least 2."""
    return max(2, 2 * (chunk_cells // (2 * max(1, deals))))


def simulate_bookings(
    values: npt.ArrayLike,
    probabilities: npt.ArrayLike,
    *,
    trials: int,
    seed: int,
    chunk_cells: int = DEFAULT_CHUNK_CELLS,
) -> FloatArray:
    """Bookings of each trial: the sum of the values of the deals that book in it."""
    value, probability = _checked(values, probabilities)
    check_trials(trials)
    if chunk_cells < 1:
        raise InvalidInput(f"chunk_cells must be at least 1, got {chunk_cells}", where="chunk")
    certain = float(value[probability >= 1].sum())
    uncertain = (probability > 0) & (probability < 1)
    value = np.ascontiguousarray(value[uncertain])
    thresholds = np.floor(probability[uncertain] * _SCALE).astype(np.uint32)
    bookings = np.full(trials, certain, dtype=np.float64)
    deals = int(value.size)
    if deals == 0:
        return bookings
    chunk_rows = rows_per_chunk(deals, chunk_cells)
    bit_generator = np.random.default_rng(seed).bit_generator
    mask = np.empty((min(chunk_rows, trials), deals), dtype=np.float64)
    chunk_total = np.empty(min(chunk_rows, trials), dtype=np.float64)
    for first in range(0, trials, chunk_rows):
        rows = min(chunk_rows, trials - first)
        words = bit_generator.random_raw((rows * deals + 1) // 2)
        draws = words.view(np.uint32)[: rows * deals].reshape(rows, deals)
        np.less(draws, thresholds, out=mask[:rows])
        np.dot(mask[:rows], value, out=chunk_total[:rows])
        bookings[first : first + rows] += chunk_total[:rows]
    return bookings


def bookings_distribution(
    values: npt.ArrayLike,
    p_win: npt.ArrayLike,
    p_close: npt.ArrayLike,
    *,
    already_won: float = 0.0,
    quota: float | None = None,
    trials: int = 10_000,
    seed: int = 7,
) -> Distribution:
    """Distribution of bookings when deal i books ``values[i]`` with ``p_win[i] * p_close[i]``.

    Example:
        >>> d = bookings_distribution([100.0], [0.5], [1.0], quota=100.0, trials=10_000, seed=1)
        >>> d.expected, round(d.p_quota, 1)
        (50.0, 0.5)
    """
    win = np.asarray(p_win, dtype=np.float64)
    close = np.asarray(p_close, dtype=np.float64)
    value = np.asarray(values, dtype=np.float64)
    if not (win.shape == close.shape == value.shape):
        raise InvalidInput("values, p_win and p_close must be aligned", where="p_win")
    for name, array in (("p_win", win), ("p_close", close)):
        if np.any(~((array >= 0) & (array <= 1))):
            raise InvalidInput("probabilities must lie in 0..1", where=name)
    if quota is not None and not (math.isfinite(quota) and quota >= 0):
        raise InvalidInput(f"quota must be a number not below 0, got {quota}", where="quota")
    if not (math.isfinite(already_won) and already_won >= 0):
        raise InvalidInput("already won bookings must not be negative", where="already_won")
    probability = win * close
    check_trials(trials)
    samples = already_won + simulate_bookings(value, probability, trials=trials, seed=seed)
    p10, p50, p90 = (float(x) for x in np.percentile(samples, [10, 50, 90]))
    return Distribution(
        trials=trials,
        seed=seed,
        expected=already_won + float(value @ probability),
        mc_mean=float(samples.mean()),
        standard_error=float(samples.std(ddof=1) / math.sqrt(trials)) if trials > 1 else 0.0,
        p10=p10,
        p50=p50,
        p90=p90,
        quota=quota,
        p_quota=None if quota is None else float(np.mean(samples >= quota)),
        histogram=_histogram(samples),
    )


def _histogram(samples: FloatArray) -> list[HistogramBin]:
    low, high = float(samples.min()), float(samples.max())
    if high <= low:
        return [HistogramBin(low=low, high=high, trials=int(samples.size), share=1.0)]
    counts, edges = np.histogram(samples, bins=HISTOGRAM_BINS, range=(low, high))
    return [
        HistogramBin(
            low=float(edges[i]),
            high=float(edges[i + 1]),
            trials=int(count),
            share=float(count) / samples.size,
        )
        for i, count in enumerate(counts)
    ]
