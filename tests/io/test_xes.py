"""The streaming XES reader on the shipped logs and on broken files."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dealgraph.errors import ImportFailed
from dealgraph.io.xes import (
    iter_xes_batches,
    iter_xes_events,
    parse_timestamp,
    read_xes,
    xes_to_parquet,
)
from tests.conftest import SHARED_DATA

LOGS = SHARED_DATA / "eventlogs"

# cases, events, activities, as listed in SOURCES.md
EXPECTED = {
    "running-example.xes": (6, 42, 8),
    "receipt.xes": (1434, 8577, 27),
    "helpdesk.xes.gz": (4580, 21348, 14),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_logs_have_the_documented_counts(name: str) -> None:
    events = read_xes(LOGS / name)
    cases, rows, activities = EXPECTED[name]
    assert events.num_rows == rows
    assert len(set(events["case"].to_pylist())) == cases
    assert len(set(events["activity"].to_pylist())) == activities
    assert events["timestamp"].null_count == 0
    assert events["position"].to_pylist() == list(range(rows))


def test_running_example_first_event_has_every_named_attribute() -> None:
    first = read_xes(LOGS / "running-example.xes").slice(0, 1).to_pylist()[0]
    assert first["case"] == "3"
    assert first["activity"] == "register request"
    # 14:32 at +01:00 is 13:32 UTC
    assert first["timestamp"] == datetime(2010, 12, 30, 13, 32)
    assert first["resource"] == "Pete"
    assert dict(first["attributes"])["Costs"] == "50"


def test_receipt_reads_lifecycle_transition() -> None:
    events = read_xes(LOGS / "receipt.xes")
    assert set(events["lifecycle"].to_pylist()) >= {"complete"}


def test_gzip_is_detected_by_magic_bytes_not_suffix(tmp_path: Path) -> None:
    disguised = tmp_path / "log.xes"
    disguised.write_bytes(gzip.compress((LOGS / "running-example.xes").read_bytes()))
    assert read_xes(disguised).num_rows == 42


def test_batches_are_bounded_and_keep_file_order() -> None:
    batches = list(iter_xes_batches(LOGS / "running-example.xes", batch_rows=10))
    assert [b.num_rows for b in batches] == [10, 10, 10, 10, 2]
    positions = [p for b in batches for p in b.column("position").to_pylist()]
    assert positions == list(range(42))


def test_xes_to_parquet_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "helpdesk.parquet"
    assert xes_to_parquet(LOGS / "helpdesk.xes.gz", out, batch_rows=5000) == 21348
    stored = pq.read_table(out)
    assert stored.equals(read_xes(LOGS / "helpdesk.xes.gz"))


def test_equal_timestamps_keep_file_order(tmp_path: Path) -> None:
    path = tmp_path / "ties.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/"><trace>'
        '<string key="concept:name" value="c1"/>'
        '<event><string key="concept:name" value="b"/>'
        '<date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event>'
        '<event><string key="concept:name" value="a"/>'
        '<date key="time:timestamp" value="2024-01-01T10:00:00Z"/>'
        '<list key="nested"><string key="inner" value="x"/></list></event>'
        "</trace></log>",
        encoding="utf-8",
    )
    events = read_xes(path).to_pylist()
    assert [(e["activity"], e["position"]) for e in events] == [("b", 0), ("a", 1)]
    assert [e["case"] for e in events] == ["c1", "c1"]
    # nested attributes are skipped, the list itself has no value
    assert events[1]["attributes"] == []


def test_timestamp_offsets_become_naive_utc() -> None:
    assert parse_timestamp("2024-03-01T12:00:00.500-05:00") == datetime(
        2024, 3, 1, 17, 0, 0, 500000
    )
    assert parse_timestamp("2024-03-01T12:00:00") == datetime(2024, 3, 1, 12, 0)


def test_broken_xml_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.xes"
    path.write_text("<log>\n<trace>\n  <event></trace>\n</log>\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_xes(path)
    assert caught.value.where == f"{path}:3:12"
    assert "broken XES: mismatched tag" in str(caught.value)


def test_truncated_gzip_log_fails_cleanly_and_leaves_no_parquet(tmp_path: Path) -> None:
    text = (LOGS / "running-example.xes").read_bytes()[:3000]
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(gzip.compress(text))
    out = tmp_path / "cut.parquet"
    with pytest.raises(ImportFailed, match="cut.xes.gz"):
        xes_to_parquet(path, out)
    assert not out.exists()


def test_bad_timestamp_is_named(tmp_path: Path) -> None:
    path = tmp_path / "when.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="c"/>\n<event>\n'
        '<date key="time:timestamp" value="yesterday"/></event></trace></log>',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="'yesterday' is not an ISO 8601") as caught:
        read_xes(path)
    assert caught.value.where == f"{path}: trace 'c', event 0"


def test_each_event_carries_the_line_of_its_event_tag() -> None:
    path = LOGS / "running-example.xes"
    # the oracle: every line holding an <event> start tag, in file order
    tag_lines = [
        number
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "<event>" in text
    ]
    events = list(iter_xes_events(path))
    assert [event.line for event in events] == tag_lines
    assert len(events) == 42


def test_events_and_batches_agree_on_every_field() -> None:
    path = LOGS / "receipt.xes"
    table = read_xes(path, batch_rows=1000).to_pylist()
    events = list(iter_xes_events(path))
    assert len(events) == len(table) == 8577
    for event, row in zip(events, table, strict=True):
        assert (event.case, event.activity, event.timestamp, event.position) == (
            row["case"],
            row["activity"],
            row["timestamp"],
            row["position"],
        )
        assert (event.lifecycle, event.resource) == (row["lifecycle"], row["resource"])
        assert event.attributes == dict(row["attributes"])


def test_mixed_timestamp_layouts_in_one_batch(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xes"
    stamps = [
        "2024-03-01T12:00:00+01:00",  # offset
        "2024-03-01T12:00:00",  # none: taken as UTC
        "2024-03-01T12:00:00.1234567Z",  # seven digits: beyond Arrow, truncated by Python
        "2024-03-01T12:00:00,5-02:00",  # decimal comma
    ]
    events = "".join(
        f'<event><string key="concept:name" value="e{n}"/>'
        f'<date key="time:timestamp" value="{stamp}"/></event>'
        for n, stamp in enumerate(stamps)
    )
    path.write_text(
        f'<log><trace><string key="concept:name" value="c"/>{events}</trace></log>',
        encoding="utf-8",
    )
    assert read_xes(path)["timestamp"].to_pylist() == [
        datetime(2024, 3, 1, 11, 0),
        datetime(2024, 3, 1, 12, 0),
        datetime(2024, 3, 1, 12, 0, 0, 123456),
        datetime(2024, 3, 1, 14, 0, 0, 500000),
    ]


def test_duplicate_keys_keep_the_last_value_and_missing_values_are_skipped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dupes.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="c"/><event>'
        '<string key="concept:name" value="first"/><string key="concept:name" value="second"/>'
        '<string key="colour" value="red"/><int key="size" value="3"/>'
        '<string key="colour" value="blue"/><string key="no value"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event></trace></log>',
        encoding="utf-8",
    )
    (event,) = read_xes(path).to_pylist()
    assert event["activity"] == "second"
    assert event["attributes"] == [("colour", "blue"), ("size", "3")]


def test_events_before_broken_xml_are_yielded_first(tmp_path: Path) -> None:
    path = tmp_path / "half.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="c"/>\n'
        '<event><string key="concept:name" value="a"/></event>\n'
        '<event><string key="concept:name" value="b"/></event>\n'
        "<event></trace></log>\n",
        encoding="utf-8",
    )
    seen: list[str | None] = []
    with pytest.raises(ImportFailed) as caught:
        for event in iter_xes_events(path):
            seen.append(event.activity)
    assert seen == ["a", "b"]
    assert caught.value.where == f"{path}:4:10"


def test_a_damaged_gzip_stream_is_named(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress((LOGS / "running-example.xes").read_bytes()))
    packed[200:260] = bytes(60)  # zero a stretch of the deflate stream
    path = tmp_path / "damaged.xes.gz"
    path.write_bytes(bytes(packed))
    out = tmp_path / "damaged.parquet"
    with pytest.raises(ImportFailed, match="cannot read XES: Error -3") as caught:
        xes_to_parquet(path, out)
    assert caught.value.where == str(path)
    assert not out.exists()
