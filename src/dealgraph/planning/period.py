"""Planning periods: a quarter, a year, a month or any span of whole days.

A period runs from its first day at 00:00 to the end of its last day (``end`` is
inclusive as a date; ``end_at`` is the exclusive midnight after it), in naive UTC like
every time in the model.

Example:
    >>> parse_period("2027Q1").start, parse_period("2027Q1").end
    (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.errors import InvalidInput

_QUARTER = re.compile(r"^(\d{4})[-\s]?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class Period(BaseModel):
    """A span of whole days to forecast or plan: ``start`` to ``end``, both included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(description="how people name it: 2027Q1, 2027, 2027-03 or a date range")
    start: date = Field(description="first day of the period")
    end: date = Field(description="last day of the period (included)")

    @property
    def start_at(self) -> datetime:
        """The period's first moment (midnight starting ``start``)."""
        return datetime.combine(self.start, time())

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (midnight ending ``end``)."""
        return datetime.combine(self.end + timedelta(days=1), time())

    @property
    def days(self) -> int:
        """Days in the period."""
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        """Weeks in the period (days / 7)."""
        return self.days / 7

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` falls inside the period."""
        return self.start_at <= moment < self.end_at


def period_between(start: date, end: date, *, label: str | None = None) -> Period:
    """The period from ``start`` to ``end`` (both included); an end before the start is refused.

    Example:
        >>> period_between(date(2027, 1, 15), date(2027, 2, 14)).days
        31
    """
    if end < start:
        raise InvalidInput(
            f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            where="period",
        )
    return Period(label=label or f"{start.isoformat()}..{end.isoformat()}", start=start, end=end)


def quarter(year: int, number: int) -> Period:
    """Calendar quarter ``number`` (1–4) of ``year``."""
    if not 1 <= number <= 4:
        raise InvalidInput(f"quarter must be 1 to 4, got {number}", where="period")
    first = date(year, 3 * number - 2, 1)
    following = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(label=f"{year}Q{number}", start=first, end=following - timedelta(days=1))


def quarter_of(day: date) -> Period:
    """The calendar quarter that contains ``day``."""
    return quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_before(moment: datetime, count: int) -> list[Period]:
    """The ``count`` last whole quarters that ended by ``moment``, oldest first."""
    if count < 1:
        raise InvalidInput(f"need at least one period, got {count}", where="periods")
    current = quarter_of(moment.date())
    found: list[Period] = []
    year, number = current.start.year, (current.start.month - 1) // 3 + 1
    for _ in range(count):
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
        found.append(quarter(year, number))
    return found[::-1]


def parse_period(text: str) -> Period:
    """A period from ``2027Q1`` (quarter), ``2027`` (year) or ``2027-03`` (month).

    Example:
        >>> parse_period("2027-02").end
        datetime.date(2027, 2, 28)
    """
    cleaned = text.strip()
    if re.match(r"^0000", cleaned):
        raise InvalidInput(f"there is no year 0 in {text!r}", where="period")
    if match := _QUARTER.match(cleaned):
        return quarter(int(match[1]), int(match[2]))
    if match := _YEAR.match(cleaned):
        year = int(match[1])
        return Period(label=str(year), start=date(year, 1, 1), end=date(year, 12, 31))
    if match := _MONTH.match(cleaned):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise InvalidInput(f"month must be 1 to 12 in {text!r}", where="period")
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return Period(
            label=f"{year}-{month:02d}",
            start=date(year, month, 1),
            end=following - timedelta(days=1),
        )
    raise InvalidInput(
        f"cannot read {text!r} as a period; use a quarter (2027Q1), a year (2027) "
        "or a month (2027-03)",
        where="period",
    )
