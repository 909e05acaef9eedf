"""A streaming XES (IEEE 1849) reader: plain or gzip, memory bounded by the batch size.

Events come out in file order with the trace's ``concept:name`` as ``case``; the event's
``concept:name``, ``time:timestamp`` (as naive UTC), ``lifecycle:transition`` and
``org:resource`` get their own columns and every other event attribute lands in
``attributes`` (a string map). ``position`` numbers events in file order, so a stable sort
on (timestamp, position) keeps the file order of events with equal timestamps.

The parsing is in ``xes_columns`` (pyexpat handlers filling column batches); a large plain
file is read by two processes, each taking one half (``xes_split``), with the same result.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, cast

import pyarrow as pa
import pyarrow.parquet as pq

from dealgraph.errors import ImportFailed
from dealgraph.io.xes_columns import (
    BATCH_ROWS,
    XES_SCHEMA,
    EventColumns,
    checked_timestamp,
    parse_columns,
    parse_timestamp,
    read_chunks,
    to_record_batch,
)
from dealgraph.io.xes_split import GZIP_MAGIC, plan_split, split_batches

__all__ = [
    "BATCH_ROWS",
    "GZIP_MAGIC",
    "XES_SCHEMA",
    "XesEvent",
    "iter_xes_batches",
    "iter_xes_events",
    "parse_timestamp",
    "read_xes",
    "xes_to_parquet",
]


@dataclass(slots=True)
class XesEvent:
    """One event of an XES log, as read from the file (``line``: its ``<event>`` tag's)."""

    case: str | None
    activity: str | None
    timestamp: datetime | None
    position: int
    lifecycle: str | None = None
    resource: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    line: int | None = None


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _columns(source: Path, *, batch_rows: int, flush_on_error: bool) -> Iterator[EventColumns]:
    """The file's events in column batches, read in this process.

    Raises:
        ImportFailed: broken XML (``file:line:column``) or a file that cannot be read.
    """
    with _open(source) as stream:
        try:
            yield from parse_columns(
                source, read_chunks(stream), batch_rows=batch_rows, flush_on_error=flush_on_error
            )
        except (OSError, EOFError, zlib.error) as exc:  # a damaged gzip stream, a failing disk
            raise ImportFailed(f"cannot read XES: {exc}", where=str(source)) from None


def _events(columns: EventColumns, source: Path) -> Iterator[XesEvent]:
    for index in range(len(columns.case)):
        first, last = columns.offsets[index], columns.offsets[index + 1]
        yield XesEvent(
            case=columns.case[index],
            activity=columns.activity[index],
            timestamp=checked_timestamp(columns, index, source),
            position=columns.first_position + index,
            lifecycle=columns.lifecycle[index],
            resource=columns.resource[index],
            attributes=dict(zip(columns.keys[first:last], columns.values[first:last], strict=True)),
            line=columns.line[index],
        )


def iter_xes_events(path: str | Path) -> Iterator[XesEvent]:
    """Yield the events of an XES file (plain or gzip) in file order, streaming.

    Each event carries the ``line`` of its ``<event>`` start tag. The events read before
    broken XML are yielded before the error.

    Raises:
        ImportFailed: the XML is broken (``where`` is ``file:line:column``), the file cannot
            be read, or a timestamp is not ISO 8601 (``where`` names the trace and the
            event's position, the message its line).
    """
    source = Path(path)
    for columns in _columns(source, batch_rows=BATCH_ROWS, flush_on_error=True):
        yield from _events(columns, source)


def _one_pass(source: Path, batch_rows: int) -> Iterator[pa.RecordBatch]:
    for columns in _columns(source, batch_rows=batch_rows, flush_on_error=False):
        yield to_record_batch(columns, source)


def iter_xes_batches(
    path: str | Path, *, batch_rows: int = BATCH_ROWS, parallel: bool = True
) -> Iterator[pa.RecordBatch]:
    """Yield the events of an XES file as record batches of at most ``batch_rows`` rows.

    With ``parallel`` (the default) a plain file of 64 MiB or more is read by two
    processes on a machine with two cores or more; the batches are the same events either way.

    Raises:
        ImportFailed: as ``iter_xes_events``.
    """
    source = Path(path)
    plan = plan_split(source) if parallel else None
    if plan is None:
        yield from _one_pass(source, batch_rows)
        return
    yield from split_batches(
        source, plan, batch_rows=batch_rows, one_pass=lambda: _one_pass(source, batch_rows)
    )


def read_xes(path: str | Path, *, batch_rows: int = BATCH_ROWS, parallel: bool = True) -> pa.Table:
    """Read an XES file (plain or gzip) into an event-log table.

    Example:
        >>> events = read_xes("running-example.xes")  # doctest: +SKIP
        >>> events.column_names[:4]  # doctest: +SKIP
        ['case', 'activity', 'timestamp', 'position']
    """
    batches = list(iter_xes_batches(path, batch_rows=batch_rows, parallel=parallel))
    return pa.Table.from_batches(batches, schema=XES_SCHEMA)


def xes_to_parquet(
    path: str | Path, out: str | Path, *, batch_rows: int = BATCH_ROWS, parallel: bool = True
) -> int:
    """Stream an XES file into a Parquet file batch by batch; return the number of events.

    Nothing is left at ``out`` when the XES file is broken.
    """
    target = Path(out)
    rows = 0
    try:
        with pq.ParquetWriter(target, XES_SCHEMA) as writer:
            for batch in iter_xes_batches(path, batch_rows=batch_rows, parallel=parallel):
                writer.write_batch(batch)
                rows += batch.num_rows
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return rows
