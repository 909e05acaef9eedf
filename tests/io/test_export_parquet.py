"""Parquet export: the event log and the case table round trip with their schemas."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from dealgraph.analytics.eventlog import CASE_SCHEMA, EVENT_SCHEMA, workspace_event_log
from dealgraph.io.export_parquet import write_parquet
from dealgraph.services.exports import export_file
from tests.factories import make_workspace


def test_events_and_cases_round_trip(session: Session, tmp_path: Path) -> None:
    make_workspace(session)
    events, cases = workspace_event_log(session)
    events_file, cases_file = tmp_path / "events.parquet", tmp_path / "cases.parquet"
    assert export_file(session, out=events_file).counts == {"events": events.num_rows}
    assert export_file(session, out=cases_file, table="cases").counts == {"cases": 3}
    assert pq.read_table(events_file).equals(events)
    assert pq.read_table(events_file).schema == EVENT_SCHEMA
    back = pq.read_table(cases_file)
    assert back.equals(cases)
    assert back.schema == CASE_SCHEMA


def test_batches_are_written_one_by_one(tmp_path: Path) -> None:
    table = pa.table({"case": [str(n) for n in range(10)], "n": list(range(10))})
    out = tmp_path / "small.parquet"
    written = write_parquet(table.to_batches(max_chunksize=3), out, schema=table.schema)
    assert written == 10
    assert pq.read_table(out).equals(table)
