"""A large plain XES file read by two processes gives exactly what one process gives."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dealgraph.errors import ImportFailed
from dealgraph.io import xes_split
from dealgraph.io.xes import read_xes, xes_to_parquet
from tests.conftest import SHARED_DATA

HELPDESK = SHARED_DATA / "eventlogs" / "helpdesk.xes.gz"
TRACE = re.compile(r"<trace>.*?</trace>", re.DOTALL)


@pytest.fixture
def split_small_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cut files of any size, on any machine, so the tests stay small."""
    monkeypatch.setattr(xes_split, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(xes_split, "usable_cores", lambda: 2)
    yield


def helpdesk_parts(traces: int = 1200) -> tuple[str, list[str], str]:
    """The helpdesk log's head, its first ``traces`` traces and its tail."""
    text = gzip.decompress(HELPDESK.read_bytes()).decode("utf-8")
    found = list(TRACE.finditer(text))
    head, tail = text[: found[0].start()], text[found[-1].end() :]
    return head, [match.group(0) for match in found[:traces]], tail


def case_of(trace: str) -> str:
    """A trace's concept:name (the first attribute of every helpdesk trace)."""
    found = re.search(r'value="([^"]*)"', trace)
    assert found is not None
    return found.group(1)


def write_log(path: Path, head: str, traces: list[str], tail: str) -> Path:
    path.write_text(head + "\n\t".join(traces) + tail, encoding="utf-8")
    return path


@pytest.fixture
def plain_log(tmp_path: Path) -> Path:
    return write_log(tmp_path / "helpdesk.xes", *helpdesk_parts())


def one_process(path: Path) -> pa.Table:
    return read_xes(path, parallel=False)


def test_two_processes_give_the_one_process_table(
    split_small_files: None, plain_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = xes_split.plan_split(plain_log)
    assert plan is not None and plan.head_end < plan.split
    expected = one_process(plain_log)

    def no_fallback(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
        raise AssertionError("the second process's batches were not used")

    monkeypatch.setattr(xes_split, "_skipped", no_fallback)
    found = read_xes(plain_log, batch_rows=2000)
    assert found.equals(expected)
    assert found["position"].to_pylist() == list(range(found.num_rows))
    assert found.num_rows > 5000


def test_parquet_from_two_processes_equals_one_process(
    split_small_files: None, plain_log: Path, tmp_path: Path
) -> None:
    out = tmp_path / "two.parquet"
    rows = xes_to_parquet(plain_log, out)
    assert rows == one_process(plain_log).num_rows
    assert pq.read_table(out).equals(one_process(plain_log))


def test_the_second_process_alone_reads_head_and_second_half(
    split_small_files: None, plain_log: Path, tmp_path: Path
) -> None:
    plan = xes_split.plan_split(plain_log)
    assert plan is not None
    spool = tmp_path / "second.arrows"
    done = subprocess.run(
        [sys.executable, "-m", "dealgraph.io.xes_split", str(plain_log)]
        + [str(plan.head_end), str(plan.split), str(spool), "1000"],
        capture_output=True,
        text=True,
        check=True,
    )
    with pa.ipc.open_stream(spool.read_bytes()) as reader:
        second = reader.read_all()
    whole = one_process(plain_log)
    assert int(done.stdout) == second.num_rows
    first_rows = whole.num_rows - second.num_rows
    # same events as the whole file's tail, positions counted from 0
    assert second.drop_columns(["position"]).equals(
        whole.slice(first_rows).drop_columns(["position"])
    )
    assert second["position"].to_pylist() == list(range(second.num_rows))
    assert 0.3 < first_rows / whole.num_rows < 0.6


def test_a_cut_inside_a_comment_is_not_trusted(
    split_small_files: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fallbacks: list[int] = []
    skipped = xes_split._skipped

    def counted(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
        fallbacks.append(rows)
        return skipped(batches, rows)

    monkeypatch.setattr(xes_split, "_skipped", counted)
    head, traces, tail = helpdesk_parts(600)
    # the middle of the file is a comment full of trace lines: the cut lands inside it
    commented = ["<!--", *traces[200:400], "-->"]
    path = write_log(
        tmp_path / "commented.xes", head, traces[:200] + commented + traces[400:], tail
    )
    plan = xes_split.plan_split(path)
    assert plan is not None
    found = read_xes(path)
    assert len(fallbacks) == 1  # this process read the second half itself
    assert found.equals(one_process(path))
    kept = traces[:200] + traces[400:]
    assert set(found["case"].to_pylist()) == {case_of(trace) for trace in kept}


def test_broken_xml_in_the_second_half_is_reported_as_one_process_does(
    split_small_files: None, tmp_path: Path
) -> None:
    head, traces, tail = helpdesk_parts()
    traces[-3] = traces[-3].replace("</event>", "</evnt>", 1)
    path = write_log(tmp_path / "broken.xes", head, traces, tail)
    with pytest.raises(ImportFailed) as alone:
        one_process(path)
    out = tmp_path / "broken.parquet"
    with pytest.raises(ImportFailed) as split:
        xes_to_parquet(path, out)
    assert (split.value.where, str(split.value)) == (alone.value.where, str(alone.value))
    assert "mismatched tag" in str(split.value)
    line = int(split.value.where.split(":")[-2])
    assert line > path.read_text(encoding="utf-8").count("\n") * 0.9  # in the second half
    assert not out.exists()


def test_a_bad_timestamp_in_the_second_half_is_reported_as_one_process_does(
    split_small_files: None, tmp_path: Path
) -> None:
    head, traces, tail = helpdesk_parts()
    traces[-2] = re.sub(r'(time:timestamp" value=")[^"]*', r"\1soon", traces[-2], count=1)
    path = write_log(tmp_path / "late.xes", head, traces, tail)
    with pytest.raises(ImportFailed) as alone:
        one_process(path)
    with pytest.raises(ImportFailed) as split:
        read_xes(path)
    assert (split.value.where, str(split.value)) == (alone.value.where, str(alone.value))
    assert "'soon' is not an ISO 8601 date-time" in str(split.value)


def test_broken_xml_in_the_first_half_stops_there(split_small_files: None, tmp_path: Path) -> None:
    head, traces, tail = helpdesk_parts()
    traces[3] = traces[3].replace("<event>", "<event <", 1)
    path = write_log(tmp_path / "early.xes", head, traces, tail)
    with pytest.raises(ImportFailed) as alone:
        one_process(path)
    with pytest.raises(ImportFailed) as split:
        read_xes(path)
    assert (split.value.where, str(split.value)) == (alone.value.where, str(alone.value))
    assert "not well-formed" in str(split.value)


def test_a_file_under_the_threshold_is_read_by_one_process(plain_log: Path) -> None:
    assert plain_log.stat().st_size < xes_split.PARALLEL_MIN_BYTES
    assert xes_split.plan_split(plain_log) is None


@pytest.mark.parametrize("form", ["gzip", "one line"])
def test_gzip_and_one_line_files_are_read_by_one_process(
    split_small_files: None, plain_log: Path, form: str
) -> None:
    if form == "gzip":
        plain_log.write_bytes(gzip.compress(plain_log.read_bytes()))
    else:
        plain_log.write_text(plain_log.read_text(encoding="utf-8").replace("\n", " "), "utf-8")
    assert xes_split.plan_split(plain_log) is None
    assert read_xes(plain_log).num_rows > 5000
