"""Small statistics the pattern reports share: Wilson intervals, rates, ratios."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from scipy.stats import binomtest

from dealgraph.errors import InvalidInput


class Rate(BaseModel):
    """A proportion with its Wilson score interval and the counts behind it."""

    model_config = ConfigDict(extra="forbid")

    successes: int = Field(ge=0, description="cases counted as a success")
    trials: int = Field(ge=0, description="cases behind the rate")
    rate: float | None = Field(description="successes / trials; None when there are no trials")
    low: float = Field(ge=0, le=1, description="lower bound of the Wilson interval")
    high: float = Field(ge=0, le=1, description="upper bound of the Wilson interval")


def wilson_interval(
    successes: int, trials: int, *, confidence: float = 0.95
) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion, without continuity correction.

    With no trials nothing is known, so the interval is the whole of [0, 1].

    Example:
        >>> low, high = wilson_interval(8, 10)
        >>> round(low, 4), round(high, 4)
        (0.4902, 0.9433)
    """
    if trials < 0 or successes < 0 or successes > trials:
        raise InvalidInput(
            f"need 0 <= successes <= trials, got {successes} of {trials}", where="wilson_interval"
        )
    if not 0 < confidence < 1:
        raise InvalidInput(
            f"confidence must be between 0 and 1, got {confidence}", where="wilson_interval"
        )
    if trials == 0:
        return 0.0, 1.0
    interval = binomtest(successes, trials).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return max(0.0, float(interval.low)), min(1.0, float(interval.high))


def rate(successes: int, trials: int, *, confidence: float = 0.95) -> Rate:
    """A proportion with its Wilson interval.

    Example:
        >>> rate(1, 4).rate
        0.25
    """
    low, high = wilson_interval(successes, trials, confidence=confidence)
    return Rate(
        successes=successes,
        trials=trials,
        rate=successes / trials if trials else None,
        low=low,
        high=high,
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator
