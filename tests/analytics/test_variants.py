"""Variants equal pm4py's, and win rates come from the case table."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from dealgraph.analytics.engine import connect
from dealgraph.analytics.eventlog import event_log
from dealgraph.analytics.variants import variants
from tests.analytics.oracle import LOGS, oracle_variants


@pytest.mark.parametrize("name", sorted(LOGS))
def test_variants_equal_pm4py_on_duckdb(name: str) -> None:
    found = variants(event_log(connect(), LOGS[name]))
    assert sorted((v.count, v.length, v.variant) for v in found) == oracle_variants(name)
    assert sum(v.share for v in found) == pytest.approx(1.0)
    assert all(v.win_rate is None for v in found)


def test_most_frequent_first_with_share() -> None:
    found = variants(event_log(connect(), LOGS["helpdesk"]))
    assert found[0].count == 2366
    assert found[0].share == pytest.approx(2366 / 4580)
    counts = [v.count for v in found]
    assert counts == sorted(counts, reverse=True)


def test_win_rate_from_the_case_table() -> None:
    t = datetime(2024, 1, 1)
    events = pa.table(
        {
            "case": ["1", "1", "2", "2", "3", "3", "4"],
            "activity": [
                "qualify",
                "propose",
                "qualify",
                "propose",
                "qualify",
                "propose",
                "qualify",
            ],
            "timestamp": pa.array([t] * 7, pa.timestamp("us")),
            "position": list(range(7)),
        }
    )
    cases = pa.table({"case": ["1", "2", "3", "4"], "status": ["won", "lost", "open", "lost"]})
    found = {v.variant: v for v in variants(events, cases)}
    both = found["qualify -> propose"]
    assert (both.count, both.won, both.closed) == (3, 1, 2)
    assert both.win_rate == pytest.approx(0.5)
    alone = found["qualify"]
    assert (alone.count, alone.won, alone.closed, alone.win_rate) == (1, 0, 1, 0.0)
    assert both.model_dump()["win_rate"] == pytest.approx(0.5)
