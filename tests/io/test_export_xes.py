"""XES export: one trace per deal, read back by the XES reader with the same sequences."""

from __future__ import annotations

import gzip
import io
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy.orm import Session

from dealgraph.analytics.eventlog import workspace_event_log
from dealgraph.errors import InvalidInput
from dealgraph.io.export_xes import XES_NAMESPACE, write_xes, xes_time
from dealgraph.io.xes import read_xes
from dealgraph.services import deals
from dealgraph.services.exports import export_file
from tests.conftest import SHARED_DATA
from tests.factories import make_deal, make_workspace

X = f"{{{XES_NAMESPACE}}}"


def _sequences(table: pa.Table) -> list[tuple[str, str, datetime]]:
    return list(
        zip(
            table["case"].to_pylist(),
            table["activity"].to_pylist(),
            table["timestamp"].to_pylist(),
            strict=True,
        )
    )


def test_workspace_round_trips_through_the_xes_reader(session: Session, tmp_path: Path) -> None:
    make_workspace(session)
    events, cases = workspace_event_log(session)
    out = tmp_path / "workspace.xes"
    summary = export_file(session, out=out)
    assert summary.counts == {"traces": 3, "events": events.num_rows}
    back = read_xes(out)
    assert _sequences(back) == _sequences(events)
    assert back["resource"].to_pylist() == events["resource"].to_pylist()
    channels = [dict(a).get("channel") for a in back["attributes"].to_pylist()]
    assert channels == events["channel"].to_pylist()
    root = ET.parse(out).getroot()
    traces = root.findall(f"{X}trace")
    assert [_trace_attribute(t, "concept:name") for t in traces] == cases["case"].to_pylist()
    assert [_trace_attribute(t, "status") for t in traces] == cases["status"].to_pylist()


def _trace_attribute(trace: ET.Element, key: str) -> str | None:
    found = trace.find(f"{X}string[@key='{key}']")
    return None if found is None else found.get("value")


def test_gzip_export_by_suffix_and_markup_in_values_is_escaped(
    session: Session, tmp_path: Path
) -> None:
    make_workspace(session)
    deals.create_deal(
        session, deal=make_deal(owner='<b>"Sam" & co</b>\x01'), account_name="Markup Ltd"
    )
    out = tmp_path / "workspace.xes.gz"
    export_file(session, out=out)
    with gzip.open(out, "rb") as stream:
        assert stream.read(5) == b"<?xml"
    back = read_xes(out)
    assert '<b>"Sam" & co</b>' in back["resource"].to_pylist()


def test_shipped_log_round_trips_exactly(tmp_path: Path) -> None:
    original = read_xes(SHARED_DATA / "eventlogs" / "running-example.xes")
    out = tmp_path / "again.xes"
    with out.open("wb") as stream:
        assert write_xes(original, stream) == original.num_rows == 42
    back = read_xes(out)
    assert _sequences(back) == _sequences(original)
    assert back["resource"].to_pylist() == original["resource"].to_pylist()


def test_interleaved_cases_are_refused() -> None:
    log = pa.table(
        {
            "case": ["1", "2", "1"],
            "activity": ["a", "b", "c"],
            "timestamp": [datetime(2026, 1, d) for d in (1, 2, 3)],
        }
    )
    with pytest.raises(InvalidInput, match="the events of case '1' are not contiguous"):
        write_xes(log, io.BytesIO())


def test_times_are_utc_with_z() -> None:
    assert xes_time(datetime(2026, 2, 3, 4, 5, 6, 7000)) == "2026-02-03T04:05:06.007Z"
