"""Event logs from files, tables and the workspace, always in the pinned shape."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy.orm import Session

from dealgraph.analytics.engine import connect
from dealgraph.analytics.eventlog import event_log, load_events, workspace_event_log
from dealgraph.errors import InvalidInput
from dealgraph.io.xes import xes_to_parquet
from dealgraph.store.deals import load_deal_records
from tests.analytics.oracle import LOGS
from tests.factories import make_workspace

PINNED = ("case", "activity", "timestamp", "position", "channel", "resource", "outcome")


def test_xes_and_parquet_give_the_same_log(tmp_path: Path) -> None:
    con = connect()
    parquet = tmp_path / "running.parquet"
    xes_to_parquet(LOGS["running_example"], parquet)
    from_xes = event_log(con, LOGS["running_example"])
    from_parquet = event_log(con, parquet)
    assert from_xes.columns == PINNED
    order = ["position"]
    assert from_xes.order_by(order).to_pyarrow().equals(from_parquet.order_by(order).to_pyarrow())
    # resource comes through from XES's org:resource
    assert from_xes.resource.notnull().all().to_pyarrow().as_py()


def test_mapping_renames_and_numbers_positions() -> None:
    source = pa.table(
        {
            "deal": [10, 10],
            "step": ["a", "b"],
            "at": pa.array([datetime(2024, 1, 1), datetime(2024, 1, 2)], pa.timestamp("us")),
            "via": ["email", "phone"],
        }
    )
    events = event_log(connect(), source, case="deal", activity="step", timestamp="at",
                       channel="via")  # fmt: skip
    rows = events.order_by("timestamp").to_pyarrow().to_pylist()
    assert [r["case"] for r in rows] == ["10", "10"]
    assert [r["channel"] for r in rows] == ["email", "phone"]
    assert [r["outcome"] for r in rows] == [None, None]
    assert sorted(r["position"] for r in rows) == [0, 1]


def test_missing_column_and_unknown_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no column 'deal' for case"):
        event_log(connect(), pa.table({"activity": ["a"], "timestamp": [datetime(2024, 1, 1)]}),
                  case="deal")  # fmt: skip
    with pytest.raises(InvalidInput, match="not an event log"):
        load_events(tmp_path / "log.json")


def test_workspace_history_as_event_log(session: Session) -> None:
    make_workspace(session)
    events, cases = workspace_event_log(session)
    records = load_deal_records(session)
    assert events.column_names == list(PINNED)
    assert cases.column_names == ["case", "status", "created_at", "seller", "segment", "value"]
    assert cases["case"].to_pylist() == [str(r.deal.id) for r in records]
    assert cases["status"].to_pylist() == [str(r.deal.status) for r in records]
    expected = sum(len(r.stage_changes) + len(r.interactions) for r in records)
    assert events.num_rows == expected > 0
    assert events["position"].to_pylist() == list(range(expected))
    rows = events.to_pylist()
    stages = {c.to_stage for r in records for c in r.stage_changes}
    for record in records:
        mine = [row for row in rows if row["case"] == str(record.deal.id)]
        assert [row["timestamp"] for row in mine] == sorted(row["timestamp"] for row in mine)
        for touch in record.interactions:
            name = touch.play or f"interaction:{touch.channel}"
            assert any(
                row["activity"] == name
                and row["timestamp"] == touch.occurred_at
                and row["channel"] == str(touch.channel)
                and row["outcome"] == str(touch.outcome)
                for row in mine
            )
    stage_rows = [row for row in rows if row["channel"] is None]
    assert {row["activity"] for row in stage_rows} == stages


def test_empty_workspace_gives_empty_tables(session: Session) -> None:
    events, cases = workspace_event_log(session)
    assert (events.num_rows, cases.num_rows) == (0, 0)
    assert events.column_names == list(PINNED)


def test_a_history_that_starts_mid_journey_gets_its_first_stage(session: Session) -> None:
    """Imported or simulated histories record moves from a stage, not the entry into it."""
    import sqlalchemy as sa

    from dealgraph.core.model import StageChange
    from dealgraph.services import deals
    from dealgraph.store import tables
    from dealgraph.store.interactions import create_stage_change
    from tests.factories import make_deal

    deal = deals.create_deal(session, deal=make_deal(created_at=datetime(2026, 1, 5, 9)))
    assert deal.id is not None
    session.execute(
        sa.delete(tables.stage_changes).where(tables.stage_changes.c.deal_id == deal.id)
    )
    create_stage_change(
        session,
        change=StageChange(
            deal_id=deal.id,
            from_stage="question_status_quo",
            to_stage="assemble_team",
            changed_at=datetime(2026, 1, 20, 9),
        ),
    )
    events, _ = workspace_event_log(session)
    rows = [r for r in events.to_pylist() if r["case"] == str(deal.id)]
    assert [(r["activity"], r["timestamp"]) for r in rows] == [
        ("question_status_quo", datetime(2026, 1, 5, 9)),
        ("assemble_team", datetime(2026, 1, 20, 9)),
    ]
