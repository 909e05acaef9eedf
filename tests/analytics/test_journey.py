"""The journey map equals pm4py's directly-follows graph, and its times are right."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from dealgraph.analytics.engine import connect
from dealgraph.analytics.eventlog import event_log
from dealgraph.analytics.journey import END, START, journey_edges, journey_map
from tests.analytics.oracle import LOGS, oracle_dfg


@pytest.mark.parametrize("name", sorted(LOGS))
def test_journey_map_equals_pm4py_dfg_on_duckdb(name: str) -> None:
    found = journey_map(event_log(connect(), LOGS[name]))
    assert sorted(found.dfg_rows()) == oracle_dfg(name)


def test_running_example_totals_and_order() -> None:
    found = journey_map(event_log(connect(), LOGS["running_example"]))
    assert (found.cases, found.events) == (6, 42)
    assert (found.edges[0].source, found.edges[0].target, found.edges[0].count) == (
        "check ticket",
        "decide",
        6,
    )
    counts = [edge.count for edge in found.edges]
    assert counts == sorted(counts, reverse=True)
    assert [(s.activity, s.count) for s in found.starts] == [("register request", 6)]
    assert sum(end.count for end in found.ends) == 6
    assert all(START not in (e.source, e.target) and END not in (e.source, e.target)
               for e in found.edges)  # fmt: skip


def small_log() -> pa.Table:
    t = datetime(2024, 1, 1)
    rows = [
        # case A: a -> b after 10 s, b -> c after 30 s; the tie at 40 s keeps file order
        ("A", "a", t.replace(second=0), 0),
        ("A", "b", t.replace(second=10), 1),
        ("A", "c", t.replace(second=40), 2),
        ("A", "d", t.replace(second=40), 3),
        # case B, written out of time order: a -> b after 20 s
        ("B", "b", t.replace(second=20), 5),
        ("B", "a", t.replace(second=0), 4),
        # case C: a -> b after 60 s
        ("C", "a", t.replace(minute=1), 6),
        ("C", "b", t.replace(minute=2), 7),
    ]
    return pa.table(
        {
            "deal": [r[0] for r in rows],
            "step": [r[1] for r in rows],
            "at": pa.array([r[2] for r in rows], pa.timestamp("us")),
            "seq": [r[3] for r in rows],
        }
    )


def test_times_between_activities_and_custom_column_names() -> None:
    found = journey_map(small_log(), case="deal", activity="step", timestamp="at", position="seq")
    by_pair = {(e.source, e.target): e for e in found.edges}
    assert set(by_pair) == {("a", "b"), ("b", "c"), ("c", "d")}
    ab = by_pair[("a", "b")]
    assert ab.count == 3
    assert ab.median_seconds == 20.0
    assert ab.mean_seconds == 30.0
    assert ab.p90_seconds == pytest.approx(52.0)  # interpolated between 20 and 60
    assert by_pair[("c", "d")].median_seconds == 0.0
    assert {(s.activity, s.count) for s in found.ends} == {("d", 1), ("b", 2)}


def test_journey_edges_is_a_lazy_expression() -> None:
    expr = journey_edges(small_log(), case="deal", activity="step", timestamp="at", position="seq")
    assert expr.columns == (
        "source", "target", "count", "median_seconds", "mean_seconds", "p90_seconds"
    )  # fmt: skip
    assert expr.to_pyarrow().num_rows == 3


def test_top_keeps_the_most_frequent_edges() -> None:
    found = journey_map(event_log(connect(), LOGS["running_example"]))
    assert [e.count for e in found.top(2).edges] == [6, 4]
