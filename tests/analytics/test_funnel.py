"""Funnel: reached, conversion and time in stage on a hand-made log."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from dealgraph.analytics.funnel import funnel, stage_visits
from dealgraph.errors import InvalidInput

STAGES = ["s1", "s2", "s3"]


def day(n: int) -> datetime:
    return datetime(2024, 1, n)


def log() -> ir.Table:
    # a: s1 (day 1) -> s1 again (day 2, same visit) -> s2 (day 3) -> s3 (day 4)
    # b: s1 (day 1) -> s3 (day 11)        c: s2 (day 1) only        note events ignored
    rows = [
        ("a", "s1", 1, 0),
        ("a", "s1", 2, 1),
        ("a", "note", 2, 2),
        ("a", "s2", 3, 3),
        ("a", "s3", 4, 4),
        ("b", "s1", 1, 5),
        ("b", "s3", 11, 6),
        ("c", "s2", 1, 7),
    ]
    return ibis.memtable(
        pa.table(
            {
                "case": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "timestamp": [day(r[2]) for r in rows],
                "position": [r[3] for r in rows],
            }
        )
    )


def cases() -> ir.Table:
    return ibis.memtable(
        pa.table(
            {
                "case": ["a", "b", "c"],
                "seller": ["ann", "bob", "ann"],
                "created_at": [datetime(2024, 1, 1), datetime(2024, 2, 3), datetime(2024, 1, 9)],
            }
        )
    )


def test_repeated_stage_events_collapse_into_one_visit() -> None:
    visits = stage_visits(log(), stages=STAGES).order_by(["case", "visit"]).to_pyarrow()
    a_rows = [r for r in visits.to_pylist() if r["case"] == "a"]
    # a's two s1 events are one visit of 2 days (day 1 -> day 3); s3 is still in progress.
    assert [(r["stage"], r["days"]) for r in a_rows] == [("s1", 2.0), ("s2", 1.0), ("s3", None)]


def test_funnel_counts_reach_conversion_and_time_in_stage() -> None:
    rows = funnel(log(), stages=STAGES).to_pylist()
    by_stage = {r["stage"]: r for r in rows}
    # Reached s1: a, b and c (c's s2 is later than s1) = 3; s2: a, b (s3 is later), c = 3;
    # s3: a, b = 2. Conversion s2 = 3/3 = 1, s3 = 2/3.
    assert [r["reached"] for r in rows] == [3, 3, 2]
    assert by_stage["s1"]["conversion"] is None
    assert by_stage["s2"]["conversion"] == 1.0
    assert by_stage["s3"]["conversion"] == pytest.approx(2 / 3)
    # s1 visits: a 2 days, b 10 days -> median 6, p90 = 2 + 0.9·8 = 9.2.
    assert by_stage["s1"]["visits"] == 2
    assert by_stage["s1"]["median_days"] == 6.0
    assert by_stage["s1"]["p90_days"] == pytest.approx(9.2)
    # s2: only a's visit (1 day) is completed; s3 has no completed visit.
    assert (by_stage["s2"]["median_days"], by_stage["s2"]["visits"]) == (1.0, 1)
    assert (by_stage["s3"]["median_days"], by_stage["s3"]["visits"]) == (None, 0)
    assert {r["cohort"] for r in rows} == {"all"}


def test_funnel_by_seller_splits_every_figure() -> None:
    rows = funnel(log(), stages=STAGES, cases=cases(), cohort="seller").to_pylist()
    reached = {(r["cohort"], r["stage"]): r["reached"] for r in rows}
    # ann has a and c: both reach s1 and s2, only a reaches s3. bob has b: reaches all three.
    assert reached == {
        ("ann", "s1"): 2,
        ("ann", "s2"): 2,
        ("ann", "s3"): 1,
        ("bob", "s1"): 1,
        ("bob", "s2"): 1,
        ("bob", "s3"): 1,
    }
    bob_s1 = next(r for r in rows if r["cohort"] == "bob" and r["stage"] == "s1")
    assert bob_s1["median_days"] == 10.0


def test_funnel_by_month_created() -> None:
    rows = funnel(log(), stages=STAGES, cases=cases(), cohort="month").to_pylist()
    # a and c were created in January, b in February.
    assert {(r["cohort"], r["stage"]): r["reached"] for r in rows if r["stage"] == "s1"} == {
        ("2024-01", "s1"): 2,
        ("2024-02", "s1"): 1,
    }


def test_a_cohort_without_a_case_table_is_refused() -> None:
    with pytest.raises(InvalidInput, match="cohort: a cohort needs the case table"):
        funnel(log(), stages=STAGES, cohort="seller")


def test_an_unknown_cohort_column_is_named() -> None:
    with pytest.raises(InvalidInput, match="cases: missing column\\(s\\) segment"):
        funnel(log(), stages=STAGES, cases=cases(), cohort="segment")


def test_missing_event_columns_and_bad_stages_are_named() -> None:
    with pytest.raises(InvalidInput, match="events: missing column\\(s\\) when"):
        funnel(log(), stages=STAGES, timestamp="when")
    with pytest.raises(InvalidInput, match="stages: give at least one stage"):
        funnel(log(), stages=[])
    with pytest.raises(InvalidInput, match="stages: stage listed twice: s1"):
        funnel(log(), stages=["s1", "s2", "s1"])


def test_custom_column_names_give_the_same_funnel() -> None:
    renamed = log().rename(deal="case", step="activity", at="timestamp", seq="position")
    rows = funnel(
        renamed, stages=STAGES, case="deal", activity="step", timestamp="at", position="seq"
    ).to_pylist()
    assert [r["reached"] for r in rows] == [3, 3, 2]
