"""Levels of work (Elliott Jaques' strata), by the time span of a role's longest task."""

from __future__ import annotations

from dataclasses import dataclass

MIN_LEVEL = 1
MAX_LEVEL = 7


@dataclass(frozen=True)
class Stratum:
    """One level of work: its number, roman numeral, time span and typical buyer role."""

    level: int
    numeral: str
    time_span: str
    typical: str


STRATA: tuple[Stratum, ...] = (
    Stratum(1, "I", "up to 3 months", "front-line staff, individual users"),
    Stratum(2, "II", "3 months to 1 year", "team leads, first-line managers"),
    Stratum(3, "III", "1 to 2 years", "department heads, functional managers"),
    Stratum(4, "IV", "2 to 5 years", "directors of a business function"),
    Stratum(5, "V", "5 to 10 years", "business-unit presidents, C-level of a mid-size firm"),
    Stratum(6, "VI", "10 to 20 years", "group executives of a large enterprise"),
    Stratum(7, "VII", "20 to 50 years", "CEO of a global corporation"),
)


def is_valid_level(level: int) -> bool:
    """True when ``level`` is a Jaques stratum (1–7)."""
    return MIN_LEVEL <= level <= MAX_LEVEL


def stratum(level: int) -> Stratum:
    """The stratum for a level; raises ValueError outside 1–7."""
    if not is_valid_level(level):
        raise ValueError(f"level must be between {MIN_LEVEL} and {MAX_LEVEL}, got {level}")
    return STRATA[level - 1]
