"""Channel effectiveness on a hand-made log of stage events and touches."""

from __future__ import annotations

from datetime import datetime, timedelta

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from dealgraph.analytics.channels import channel_effectiveness
from dealgraph.errors import InvalidInput

STAGES = ["s1", "s2", "s3"]


def log() -> ir.Table:
    rows = [
        # case, activity, channel, day
        ("x", "call", "phone", 1),  # before x's first stage event: no stage, left out
        ("x", "s1", None, 1),
        ("x", "call", "phone", 2),  # s1; advance to s2 on day 5 -> 3 days
        ("x", "s2", None, 5),
        ("x", "mail", "email", 6),  # s2; s3 only on day 50 -> 44 days, beyond 30
        ("x", "s3", None, 50),
        ("y", "s1", None, 1),
        ("y", "call", "phone", 2),  # s1; advance on day 3 -> 1 day
        ("y", "s2", None, 3),
        ("y", "s1", None, 4),  # back to s1
        ("y", "mail", "email", 5),  # s1 again; no later stage above s1 -> not advanced
    ]
    return ibis.memtable(
        pa.table(
            {
                "case": [r[0] for r in rows],
                "activity": [r[1] for r in rows],
                "channel": pa.array([r[2] for r in rows], pa.string()),
                "timestamp": [datetime(2024, 1, 1) + timedelta(days=r[3] - 1) for r in rows],
                "position": list(range(len(rows))),
            }
        )
    )


def test_share_advanced_and_median_days_per_stage_and_channel() -> None:
    rows = channel_effectiveness(log(), stages=STAGES).to_pylist()
    found = {
        (r["stage"], r["channel"]): (
            r["interactions"],
            r["advanced"],
            r["advance_share"],
            r["median_days_to_advance"],
        )
        for r in rows
    }
    assert found == {
        # s1 by phone: x (3 days) and y (1 day) both advanced -> median 2.
        ("s1", "phone"): (2, 2, 1.0, 2.0),
        # s1 by email: y's touch after going back, never advanced.
        ("s1", "email"): (1, 0, 0.0, None),
        # s2 by email: x advanced only after 44 days.
        ("s2", "email"): (1, 0, 0.0, None),
    }


def test_a_longer_window_counts_the_late_advance() -> None:
    rows = channel_effectiveness(log(), stages=STAGES, within_days=60).to_pylist()
    s2_email = next(r for r in rows if r["stage"] == "s2")
    assert (s2_email["advanced"], s2_email["median_days_to_advance"]) == (1, 44.0)


def test_a_log_without_channels_is_named() -> None:
    bare = log().drop("channel")
    with pytest.raises(InvalidInput, match="events: missing column\\(s\\) channel"):
        channel_effectiveness(bare, stages=STAGES)
