"""Rows of named values (numbers and text) as the number matrix a model learns from.

Numbers pass through (a blank gets the training median and a "missing" column); text is
one-hot encoded, values seen on fewer than ``min_rows`` training rows grouped as
``(other)``. Every column remembers the feature it came from, so an explanation can add
a one-hot group back into one factor ("Segment: enterprise").

Example:
    >>> encoder = Encoder.fit(rows, numeric=["age_days"], categorical=["segment"])  # doctest: +SKIP
    >>> encoder.columns  # doctest: +SKIP
    ['age_days', 'segment = SMB', 'segment = enterprise', 'segment = (other)']
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from dealgraph.planning.baseline import field_value

OTHER = "(other)"
MIN_LEVEL_ROWS = 10
"""A text value needs this many training rows to get a column of its own."""

Row = Mapping[str, object]


def number(value: object) -> float | None:
    """A row value as a float; None for a blank or a missing value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        result = float(value)
    else:
        raise TypeError(f"not a number: {value!r}")
    return None if math.isnan(result) else result


@dataclass
class Encoder:
    """The fitted encoding: which columns exist and how each value maps onto them."""

    numeric: list[str]
    levels: dict[str, list[str]]
    fill: dict[str, float]
    missing: list[str]
    columns: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @classmethod
    def fit(
        cls,
        rows: Sequence[Row],
        *,
        numeric: Sequence[str],
        categorical: Sequence[str],
        min_rows: int = MIN_LEVEL_ROWS,
    ) -> Encoder:
        """Learn medians, missing flags and kept text values from the training rows."""
        fill: dict[str, float] = {}
        missing: list[str] = []
        for key in numeric:
            values = [number(row.get(key)) for row in rows]
            present = [v for v in values if v is not None]
            fill[key] = float(np.median(present)) if present else 0.0
            if len(present) < len(values):
                missing.append(key)
        levels: dict[str, list[str]] = {}
        for key in categorical:
            counts = Counter(field_value(row, key) for row in rows)
            kept = sorted(v for v, n in counts.items() if n >= min_rows)
            rare = any(n < min_rows for n in counts.values())
            levels[key] = [*kept, OTHER] if rare else kept
        encoder = cls(numeric=list(numeric), levels=levels, fill=fill, missing=missing)
        encoder.columns, encoder.sources = encoder._layout()
        return encoder

    def _layout(self) -> tuple[list[str], list[str]]:
        columns: list[str] = []
        sources: list[str] = []
        for key in self.numeric:
            columns.append(key)
            sources.append(key)
        for key in self.missing:
            columns.append(f"{key} missing")
            sources.append(key)
        for key, values in self.levels.items():
            for value in values:
                columns.append(f"{key} = {value}")
                sources.append(key)
        return columns, sources

    @property
    def features(self) -> list[str]:
        """The features the columns came from, in column order, each once."""
        return list(dict.fromkeys(self.sources))

    def transform(self, rows: Sequence[Row]) -> np.ndarray:
        """The matrix of ``rows``: one row per input row, one column per ``columns`` entry."""
        matrix = np.zeros((len(rows), len(self.columns)), dtype=float)
        index = {name: i for i, name in enumerate(self.columns)}
        for r, row in enumerate(rows):
            for key in self.numeric:
                value = number(row.get(key))
                matrix[r, index[key]] = self.fill[key] if value is None else value
            for key in self.missing:
                matrix[r, index[f"{key} missing"]] = 1.0 if number(row.get(key)) is None else 0.0
            for key, values in self.levels.items():
                level = field_value(row, key)
                if level not in values:
                    level = OTHER
                column = index.get(f"{key} = {level}")
                if column is not None:
                    matrix[r, column] = 1.0
        return matrix

    def columns_of(self, feature: str) -> list[int]:
        """Indices of the columns a feature was encoded into."""
        return [i for i, source in enumerate(self.sources) if source == feature]
