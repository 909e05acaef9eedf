"""Stalls: open cases against their stage's own history."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from dealgraph.analytics.stalls import stalls

STAGES = ["s1", "s2"]
AS_OF = datetime(2024, 1, 11)


def log() -> ir.Table:
    rows = [
        ("x", "s1", 1),
        ("x", "s2", 3),  # x: s1 for 2 days, now in s2 since day 3
        ("y", "s1", 1),
        ("y", "s2", 5),  # y: s1 for 4 days, now in s2 since day 5
        ("z", "s1", 1),  # z: in s1 since day 1
        ("w", "s1", 1),
        ("w", "won", 2),  # w ended: not open
    ]
    return ibis.memtable(
        pa.table(
            {
                "case": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "timestamp": [datetime(2024, 1, r[2]) for r in rows],
                "position": list(range(len(rows))),
            }
        )
    )


def test_open_cases_sorted_by_days_over_the_stage_median() -> None:
    rows = stalls(log(), stages=STAGES, as_of=AS_OF).to_pylist()
    # s1 history: x 2 days, y 4 days -> median 3, p90 2 + 0.9·2 = 3.8.
    # z has sat in s1 for 10 days -> ratio 10/3. s2 has no completed visit: no ratio.
    assert [r["case"] for r in rows] == ["z", "x", "y"]
    z = rows[0]
    assert (z["stage"], z["days_in_stage"], z["median_days"]) == ("s1", 10.0, 3.0)
    assert abs(z["p90_days"] - 3.8) < 1e-9
    assert abs(z["ratio"] - 10 / 3) < 1e-9
    # x (8 days) before y (6 days) when neither has a ratio.
    assert [(r["days_in_stage"], r["ratio"]) for r in rows[1:]] == [(8.0, None), (6.0, None)]


def test_the_case_table_decides_what_is_open() -> None:
    cases = ibis.memtable(
        pa.table({"case": ["x", "y", "z", "w"], "status": ["open", "lost", "won", "open"]})
    )
    rows = stalls(log(), stages=STAGES, as_of=AS_OF, cases=cases).to_pylist()
    # Open by the table: x (in s2 since day 3) and w (its last stage event: s1 on day 1).
    assert {r["case"]: r["days_in_stage"] for r in rows} == {"x": 8.0, "w": 10.0}
