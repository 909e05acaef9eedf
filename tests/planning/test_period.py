"""Planning periods: quarters, years, months and explicit ranges."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dealgraph.errors import InvalidInput
from dealgraph.planning.period import (
    parse_period,
    period_between,
    quarter_of,
    quarters_before,
)


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2027Q1", "2027Q1", date(2027, 1, 1), date(2027, 3, 31)),
        ("2027q4", "2027Q4", date(2027, 10, 1), date(2027, 12, 31)),
        ("2028-Q1", "2028Q1", date(2028, 1, 1), date(2028, 3, 31)),
        ("2027", "2027", date(2027, 1, 1), date(2027, 12, 31)),
        ("2027-03", "2027-03", date(2027, 3, 1), date(2027, 3, 31)),
        ("2028-2", "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        (" 2027-12 ", "2027-12", date(2027, 12, 1), date(2027, 12, 31)),
    ],
)
def test_parse_period_reads_quarters_years_and_months(
    text: str, label: str, start: date, end: date
) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.days == (end - start).days + 1


def test_a_period_contains_its_whole_last_day_and_not_the_next() -> None:
    period = parse_period("2027Q1")
    assert period.contains(datetime(2027, 1, 1))
    assert period.contains(datetime(2027, 3, 31, 23, 59, 59))
    assert not period.contains(datetime(2027, 4, 1))
    assert not period.contains(datetime(2026, 12, 31, 23, 59))
    assert period.end_at == datetime(2027, 4, 1)


@pytest.mark.parametrize("text", ["2027Q5", "2027Q0", "27Q1", "2027-13", "2027-00", "soon", "0000"])
def test_unreadable_periods_are_refused_naming_the_period(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_period(text)
    assert caught.value.where == "period"
    assert text.strip() in str(caught.value) or "year 0" in str(caught.value)


def test_a_range_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput, match="ends \\(2027-01-31\\) before it starts") as caught:
        period_between(date(2027, 2, 1), date(2027, 1, 31))
    assert caught.value.where == "period"
    one_day = period_between(date(2027, 2, 1), date(2027, 2, 1))
    assert one_day.days == 1 and one_day.label == "2027-02-01..2027-02-01"


def test_quarters_before_lists_whole_quarters_oldest_first() -> None:
    labels = [p.label for p in quarters_before(datetime(2025, 6, 1), 5)]
    assert labels == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert [p.label for p in quarters_before(datetime(2025, 4, 1), 1)] == ["2025Q1"]
    assert quarter_of(date(2025, 12, 31)).label == "2025Q4"
    with pytest.raises(InvalidInput) as caught:
        quarters_before(datetime(2025, 6, 1), 0)
    assert caught.value.where == "periods"
