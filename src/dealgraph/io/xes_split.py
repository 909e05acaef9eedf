"""A large plain XES file read by two processes: this one up to a trace near the middle,
a second one from there to the end.

The second process parses the file's head (everything before the first trace: the XML
declaration, the root's start tag with its namespaces, extensions, globals) followed by
the second half, which is a well-formed log of the remaining traces. Its batches go to an
Arrow IPC spool file and come back here, after the first half's, with positions shifted
past the first half's events.

The cut is trusted only when this process, having parsed the first half itself, confirms
that the first trace starts where the head ends and that the cut falls between two
children of the root, outside any comment, CDATA section or processing instruction.
Anything else (an untrusted cut, broken XML or a bad timestamp in the second half, a
worker that died) makes this process read the file again by itself, skipping the events
it already gave, so results and errors are exactly those of the one-process reader.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen
from typing import IO
from xml.parsers import expat

import pyarrow as pa
import pyarrow.compute as pc

from dealgraph.io.xes_columns import (
    XES_SCHEMA,
    EventParser,
    broken_xml,
    parse_columns,
    read_chunks,
    to_record_batch,
)

# Smaller files take less time to read than a second Python process takes to start.
PARALLEL_MIN_BYTES = 64 << 20
# Where the cut is looked for: the middle balances the two processes (measured on 2 M events).
FIRST_SHARE = 0.5
GZIP_MAGIC = b"\x1f\x8b"
_HEAD_LIMIT = 16 << 20
_WINDOW = 4 << 20
# A trace start tag alone at the start of its line (after indentation).
_TRACE_LINE = re.compile(rb"\n([ \t]*)<trace[\s>]")
_POSITION = XES_SCHEMA.get_field_index("position")


@dataclass(frozen=True)
class SplitPlan:
    """Where the file is cut: the head is ``[0, head_end)``, the second half ``[split, end)``."""

    head_end: int
    first_trace: int
    split: int


def usable_cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _trace_line(stream: IO[bytes], start: int, end: int) -> tuple[int, int] | None:
    """The first trace line starting in ``[start, end)``: its offset and its tag's, or None."""
    offset = start
    while offset < end:
        stream.seek(offset)
        window = stream.read(min(_WINDOW, end - offset))
        found = _TRACE_LINE.search(window)
        if found is not None:
            line_start = offset + found.start() + 1
            return line_start, line_start + len(found.group(1))
        if len(window) < _WINDOW:
            return None
        offset += _WINDOW - 64  # overlap, so a line cut by the window is seen whole
    return None


def plan_split(path: Path) -> SplitPlan | None:
    """Where to cut ``path`` for two processes, or None to read it in one.

    One process is used for gzip files, files under ``PARALLEL_MIN_BYTES``, a machine
    with one usable core (or no Python executable to start), and files whose traces do
    not each start on their own line.
    """
    size = path.stat().st_size
    if size < PARALLEL_MIN_BYTES or usable_cores() < 2 or not sys.executable:
        return None
    with path.open("rb") as stream:
        if stream.read(2) == GZIP_MAGIC:
            return None
        first = _trace_line(stream, 0, min(_HEAD_LIMIT, size))
        if first is None:
            return None
        middle = _trace_line(stream, max(int(size * FIRST_SHARE), first[1]), size)
        if middle is None:
            return None
    return SplitPlan(head_end=first[0], first_trace=first[1], split=middle[0])


def _read_second_half(path: Path, plan: SplitPlan, spool: Path, batch_rows: int) -> int:
    """Parse head + second half into the spool as an Arrow IPC stream; return the rows."""
    rows = 0
    with (
        path.open("rb") as stream,
        pa.OSFile(str(spool), "wb") as sink,
        pa.ipc.new_stream(sink, XES_SCHEMA) as writer,
    ):
        head = stream.read(plan.head_end)
        stream.seek(plan.split)
        pieces = itertools.chain([head], read_chunks(stream))
        for columns in parse_columns(path, pieces, batch_rows=batch_rows):
            batch = to_record_batch(columns, path)
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _worker_main(argv: list[str]) -> int:
    """The second process (``python -m dealgraph.io.xes_split FILE HEAD_END SPLIT SPOOL ROWS``).

    Prints the row count; on any failure it prints nothing and exits 1, and the first
    process reads the second half itself, raising the error in its proper place.
    """
    path, head_end, split, spool, batch_rows = argv
    plan = SplitPlan(head_end=int(head_end), first_trace=-1, split=int(split))
    try:
        rows = _read_second_half(Path(path), plan, Path(spool), int(batch_rows))
    except Exception:  # any failure: the first process reads it instead, and says why
        return 1
    sys.stdout.write(f"{rows}\n")
    return 0


def _start_worker(source: Path, plan: SplitPlan, spool: Path, batch_rows: int) -> Popen[str]:
    # A fresh interpreter on this module (not multiprocessing, which would re-run the
    # caller's main script); it finds dealgraph where this process found it.
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "dealgraph.io.xes_split", str(source)]
    command += [str(plan.head_end), str(plan.split), str(spool), str(batch_rows)]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _first_half(
    source: Path, plan: SplitPlan, batch_rows: int
) -> Generator[pa.RecordBatch, None, tuple[bool, int]]:
    """Yield the first half's batches; return whether the cut is trusted, and the rows."""
    parser = EventParser(batch_rows=batch_rows)
    rows = 0
    with source.open("rb") as stream:
        try:
            for chunk in read_chunks(stream, end=plan.split):
                for columns in parser.feed(chunk):
                    batch = to_record_batch(columns, source)
                    rows += batch.num_rows
                    yield batch
        except expat.ExpatError as exc:
            raise broken_xml(source, exc) from None
    trusted = parser.first_trace_byte == plan.first_trace and parser.probe_log_level()
    for columns in parser.drain():
        batch = to_record_batch(columns, source)
        rows += batch.num_rows
        yield batch
    return trusted, rows


def _spooled(spool: Path, *, offset: int) -> Iterator[pa.RecordBatch]:
    """The second process's batches, with positions counted from ``offset``."""
    with pa.OSFile(str(spool), "rb") as source, pa.ipc.open_stream(source) as reader:
        for batch in reader:
            columns = batch.columns
            columns[_POSITION] = pc.add(columns[_POSITION], pa.scalar(offset, pa.int64()))
            yield pa.RecordBatch.from_arrays(columns, schema=XES_SCHEMA)


def _skipped(batches: Iterator[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """``batches`` without their first ``rows`` rows."""
    for batch in batches:
        if rows >= batch.num_rows:
            rows -= batch.num_rows
            continue
        yield batch.slice(rows) if rows else batch
        rows = 0


def _worker_rows(worker: Popen[str]) -> int | None:
    """Wait for the second process; its row count, or None when it failed."""
    output, _ = worker.communicate()
    text = output.strip()
    if worker.returncode != 0 or not text.isdigit():
        return None
    return int(text)


def _stop(worker: Popen[str] | None) -> None:
    if worker is None or worker.returncode is not None:
        return
    worker.kill()
    worker.communicate()


def split_batches(
    source: Path,
    plan: SplitPlan,
    *,
    batch_rows: int,
    one_pass: Callable[[], Iterator[pa.RecordBatch]],
) -> Iterator[pa.RecordBatch]:
    """The file's batches in file order, the second half read by a second process.

    ``one_pass`` reads the whole file in this process; its batches past the first half
    are used when the second process's cannot be (see the module docstring).

    Raises:
        ImportFailed: as the one-process reader does, at the same event.
    """
    with tempfile.TemporaryDirectory(prefix="dealgraph-xes-") as folder:
        spool = Path(folder) / "second-half.arrows"
        worker: Popen[str] | None = None
        try:
            try:
                worker = _start_worker(source, plan, spool, batch_rows)
            except OSError:  # no interpreter to start: read it all here
                worker = None
            trusted, rows = yield from _first_half(source, plan, batch_rows)
            second = _worker_rows(worker) if trusted and worker is not None else None
            _stop(worker)
            if second is not None:
                yield from _spooled(spool, offset=rows)
            else:
                yield from _skipped(one_pass(), rows)
        finally:
            _stop(worker)


__all__ = ["PARALLEL_MIN_BYTES", "SplitPlan", "plan_split", "split_batches", "usable_cores"]


if __name__ == "__main__":
    raise SystemExit(_worker_main(sys.argv[1:]))
