"""CSV event logs with a column mapping."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dealgraph.errors import ImportFailed
from dealgraph.io.eventlog_csv import iter_eventlog_csv_batches, read_eventlog_csv


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mapping_renames_columns_and_keeps_row_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "deal,step,at,via,who,result\r\n"
        "D1,discovery,2024-01-02T10:00:00+01:00,email,sam,advanced\r\n"
        "D1,demo,2024-01-05 09:30,field,sam,\r\n"
        "\r\n"
        "D2,discovery,2024-01-03,phone,kim,neutral\r\n",
    )
    events = read_eventlog_csv(
        path,
        case="deal",
        activity="step",
        timestamp="at",
        channel="via",
        resource="who",
        outcome="result",
    )
    assert events.column_names == [
        "case",
        "activity",
        "timestamp",
        "position",
        "channel",
        "resource",
        "outcome",
    ]
    rows = events.to_pylist()
    assert [r["position"] for r in rows] == [0, 1, 2]
    assert rows[0]["timestamp"] == datetime(2024, 1, 2, 9, 0)
    assert rows[1]["outcome"] is None
    assert rows[2] == {
        "case": "D2",
        "activity": "discovery",
        "timestamp": datetime(2024, 1, 3),
        "position": 2,
        "channel": "phone",
        "resource": "kim",
        "outcome": "neutral",
    }


def test_given_timestamp_format(tmp_path: Path) -> None:
    path = write(tmp_path, "case;activity;timestamp\nA;x;02/01/2024 10:15\n")
    events = read_eventlog_csv(path, delimiter=";", timestamp_format="%d/%m/%Y %H:%M")
    assert events["timestamp"].to_pylist() == [datetime(2024, 1, 2, 10, 15)]
    assert events["channel"].to_pylist() == [None]


def test_bad_timestamp_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "case,activity,timestamp\nA,x,2024-01-01\nA,y,soon\n")
    with pytest.raises(ImportFailed) as caught:
        read_eventlog_csv(path)
    assert caught.value.where == f"{path}:3, column 'timestamp' (3)"
    assert "'soon' is not ISO 8601" in str(caught.value)


def test_empty_case_and_short_row_are_named(tmp_path: Path) -> None:
    empty = write(tmp_path, "case,activity,timestamp\n,x,2024-01-01\n", "empty.csv")
    with pytest.raises(ImportFailed, match=r"empty.csv:2, column 'case' \(1\): case is empty"):
        read_eventlog_csv(empty)
    short = write(tmp_path, "case,activity,timestamp\nA,x\n", "short.csv")
    with pytest.raises(ImportFailed, match=r"short.csv:2, column 'timestamp' \(3\)"):
        read_eventlog_csv(short)


def test_missing_mapped_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "id,activity,timestamp\nA,x,2024-01-01\n")
    with pytest.raises(ImportFailed, match="no column 'deal' for case"):
        read_eventlog_csv(path, case="deal")
    with pytest.raises(ImportFailed, match="the file is empty"):
        read_eventlog_csv(write(tmp_path, "", "none.csv"))


def test_batches_are_bounded(tmp_path: Path) -> None:
    lines = "".join(f"C{i % 3},a{i},2024-01-01T00:00:{i:02d}\n" for i in range(7))
    path = write(tmp_path, "case,activity,timestamp\n" + lines)
    batches = list(iter_eventlog_csv_batches(path, batch_rows=3))
    assert [b.num_rows for b in batches] == [3, 3, 1]
