"""Conformance to a small playbook: a -> b -> c -> d, with a -> c and c -> b allowed."""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from dealgraph.analytics.conformance import conformance
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput


def stage(key: str, after: list[str], end: str | None = None) -> dict[str, object]:
    spec: dict[str, object] = {
        "key": key,
        "title": key.upper(),
        "goal": "get through",
        "duration": {"p50": 5, "p90": 10},
        "level": 2,
        "next": after,
    }
    if end:
        spec["end"] = end
    return spec


BOOK = Playbook.model_validate(
    {
        "key": "tiny",
        "title": "Tiny",
        "stages": [
            stage("a", ["b", "c"]),
            stage("b", ["c"]),
            stage("c", ["d", "b"]),
            stage("d", [], "won"),
        ],
    }
)


def log() -> ir.Table:
    paths = {
        "x": ["a", "d", "b"],  # a->d skips b, c (not allowed); d->b goes back (not allowed)
        "y": ["a", "b", "c", "b"],  # c->b goes back, but the playbook allows it
        "z": ["a", "c", "d"],  # a->c jumps b, allowed by `next`
        "w": ["a", "b", "b", "d"],  # b->d skips c (not allowed); repeated b is one visit
        "v": ["c"],  # a single stage: no move
    }
    rows = [(case, act) for case, acts in paths.items() for act in acts]
    return ibis.memtable(
        pa.table(
            {
                "case": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "timestamp": [datetime(2024, 1, 1 + i) for i in range(len(rows))],
                "position": list(range(len(rows))),
            }
        )
    )


def statuses() -> ir.Table:
    return ibis.memtable(
        pa.table(
            {"case": ["x", "y", "z", "w", "v"], "status": ["won", "lost", "won", "won", "open"]}
        )
    )


def test_per_case_moves_skips_backward_and_fitness() -> None:
    report = conformance(log(), BOOK)
    by_case = {c.case: c for c in report.cases}
    x = by_case["x"]
    # x: 2 moves; a->d is a skip over 2 stages, d->b an unplanned backward move -> fitness 0.
    assert (x.moves, x.skips, x.skipped_stages, x.backward_moves, x.unplanned_backward) == (
        2,
        1,
        2,
        1,
        1,
    )
    assert (x.out_of_order, x.fitness) == (1, 0.0)
    y = by_case["y"]
    # y: 3 moves, one backward (c->b) that `next` allows: out of order but fitness 1.
    assert (y.moves, y.backward_moves, y.unplanned_backward, y.out_of_order, y.fitness) == (
        3,
        1,
        0,
        1,
        1.0,
    )
    z = by_case["z"]
    assert (z.moves, z.skips, z.fitness) == (2, 0, 1.0)
    w = by_case["w"]
    # w: visits a, b, d -> 2 moves, b->d a skip of 1 stage -> fitness 1 - 1/2.
    assert (w.moves, w.skips, w.skipped_stages, w.fitness) == (2, 1, 1, 0.5)
    assert (w.first_stage, w.last_stage) == ("a", "d")
    v = by_case["v"]
    assert (v.moves, v.fitness, v.first_stage, v.last_stage) == (0, 1.0, "c", "c")
    assert report.conforming is None and report.deviating is None


def test_win_rates_of_conforming_and_deviating_closed_deals() -> None:
    report = conformance(log(), BOOK, cases=statuses())
    # Closed conforming: y (lost), z (won) -> 1 of 2. Deviating: x, w (both won) -> 2 of 2.
    # v is open and counts in neither.
    assert report.conforming is not None and report.deviating is not None
    assert (report.conforming.successes, report.conforming.trials) == (1, 2)
    assert (report.deviating.successes, report.deviating.trials) == (2, 2)
    assert report.conforming.rate == 0.5
    # Wilson 2 of 2: lower bound n/(n+z²) = 2/5.8416 = 0.3424.
    assert report.deviating.low == pytest.approx(0.3424, abs=1e-4)
    assert {c.case: c.status for c in report.cases}["v"] == "open"


def test_a_case_table_without_status_is_named() -> None:
    bare = ibis.memtable(pa.table({"case": ["x"]}))
    with pytest.raises(InvalidInput, match="cases: missing column\\(s\\) status"):
        conformance(log(), BOOK, cases=bare)
