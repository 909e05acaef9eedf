"""The baseline every win model must beat: naive-Bayes frequency scoring over a few fields.

This is how mainstream open-source CRMs score leads (Odoo's predictive lead scoring): for
each field value, count the won and the lost training deals that had it; a deal's score is
the prior odds of winning times, per field, how much likelier its value is among won deals
than among lost ones. Frequencies are Laplace-smoothed,

    P(value | won) = (won with value + alpha) / (won + alpha * values of the field),

and a value never seen in training leaves the score alone.

Example:
    >>> rows = [{"stage": "a"}, {"stage": "a"}, {"stage": "b"}]
    >>> scorer = NaiveBayesBaseline.fit(rows, [True, False, False], fields=["stage"])
    >>> round(scorer.probability({"stage": "a"}), 4)
    0.4
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.errors import InvalidInput

NONE = "(none)"


def field_value(row: Mapping[str, object], field: str) -> str:
    """The value a field has for the baseline: text, with blanks and None as ``(none)``."""
    value = row.get(field)
    text = "" if value is None else str(value).strip()
    return text or NONE


class NaiveBayesBaseline(BaseModel):
    """Won and lost counts per field value, and how to score a deal from them."""

    model_config = ConfigDict(extra="forbid")

    fields: list[str]
    alpha: float = Field(gt=0, description="Laplace smoothing added to every count")
    won: int = Field(ge=0, description="won training rows")
    lost: int = Field(ge=0, description="lost training rows")
    counts: dict[str, dict[str, tuple[int, int]]] = Field(
        description="field -> value -> (won, lost) training rows with that value"
    )

    @classmethod
    def fit(
        cls,
        rows: Sequence[Mapping[str, object]],
        won: Sequence[bool],
        *,
        fields: Sequence[str],
        alpha: float = 1.0,
    ) -> NaiveBayesBaseline:
        """Count won and lost rows per value of each field."""
        if len(rows) != len(won):
            raise InvalidInput(f"{len(rows)} rows but {len(won)} labels", where="baseline")
        wins = sum(1 for w in won if w)
        if wins == 0 or wins == len(won):
            raise InvalidInput("needs both won and lost rows", where="baseline")
        counts: dict[str, dict[str, list[int]]] = {f: {} for f in fields}
        for row, is_won in zip(rows, won, strict=True):
            for f in fields:
                pair = counts[f].setdefault(field_value(row, f), [0, 0])
                pair[0 if is_won else 1] += 1
        return cls(
            fields=list(fields),
            alpha=alpha,
            won=wins,
            lost=len(won) - wins,
            counts={
                f: {v: (c[0], c[1]) for v, c in sorted(values.items())}
                for f, values in counts.items()
            },
        )

    def log_odds(self, row: Mapping[str, object]) -> float:
        """Log of P(won, values) / P(lost, values) under the naive-Bayes product."""
        score = math.log(self.won / self.lost)
        for f in self.fields:
            values = self.counts[f]
            pair = values.get(field_value(row, f))
            if pair is None:
                continue
            levels = len(values)
            score += math.log((pair[0] + self.alpha) / (self.won + self.alpha * levels))
            score -= math.log((pair[1] + self.alpha) / (self.lost + self.alpha * levels))
        return score

    def probability(self, row: Mapping[str, object]) -> float:
        """P(won) of one row."""
        return 1.0 / (1.0 + math.exp(-self.log_odds(row)))

    def probabilities(self, rows: Sequence[Mapping[str, object]]) -> np.ndarray:
        """P(won) of many rows."""
        return np.array([self.probability(row) for row in rows], dtype=float)
