"""A streaming XES (IEEE 1849) reader: plain or gzip, constant memory per event.

Events come out in file order with the trace's ``concept:name`` as ``case``; the event's
``concept:name``, ``time:timestamp`` (as naive UTC), ``lifecycle:transition`` and
``org:resource`` get their own columns and every other event attribute lands in
``attributes`` (a string map). ``position`` numbers events in file order, so a stable sort
on (timestamp, position) keeps the file order of events with equal timestamps.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

import pyarrow as pa
import pyarrow.parquet as pq

from dealgraph.errors import ImportFailed

BATCH_ROWS = 50_000
GZIP_MAGIC = b"\x1f\x8b"

# Element names that carry a key/value attribute (nested children are ignored).
_ATTRIBUTE_TAGS = frozenset(
    {"string", "date", "int", "float", "boolean", "id", "list", "container"}
)
_NAMED_KEYS = frozenset({"concept:name", "time:timestamp", "lifecycle:transition", "org:resource"})

XES_SCHEMA = pa.schema(
    [
        pa.field("case", pa.string()),
        pa.field("activity", pa.string()),
        pa.field("timestamp", pa.timestamp("us")),
        pa.field("position", pa.int64(), nullable=False),
        pa.field("lifecycle", pa.string()),
        pa.field("resource", pa.string()),
        pa.field("attributes", pa.map_(pa.string(), pa.string())),
    ]
)


@dataclass(slots=True)
class XesEvent:
    """One event of an XES log, as read from the file."""

    case: str | None
    activity: str | None
    timestamp: datetime | None
    position: int
    lifecycle: str | None = None
    resource: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp as naive UTC (a value without offset is taken as UTC).

    >>> parse_timestamp("2010-12-30T14:32:00.000+01:00")
    datetime.datetime(2010, 12, 30, 13, 32)
    """
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def iter_xes_events(path: str | Path) -> Iterator[XesEvent]:
    """Yield the events of an XES file (plain or gzip) in file order, streaming.

    Raises:
        ImportFailed: the XML is broken or a timestamp is not ISO 8601; ``where`` is
            ``file:line:column``.
    """
    source = Path(path)
    with _open(source) as stream:
        yield from _events(source, stream)


def _events(source: Path, stream: IO[bytes]) -> Iterator[XesEvent]:
    # A stack of local tag names lets us tell a trace's attributes from an event's and
    # skip nested attributes; finished traces are dropped from the root to keep memory flat.
    stack: list[str] = []
    root: ET.Element | None = None
    case: str | None = None
    event: XesEvent | None = None
    position = 0
    parser = ET.iterparse(stream, events=("start", "end"))
    try:
        for kind, element in parser:
            tag = _local(element.tag)
            if kind == "start":
                if root is None:
                    root = element
                stack.append(tag)
                if tag == "trace":
                    case = None
                elif tag == "event" and len(stack) >= 2 and stack[-2] == "trace":
                    event = XesEvent(case=case, activity=None, timestamp=None, position=position)
                    position += 1
                continue
            stack.pop()
            parent = stack[-1] if stack else ""
            if tag in _ATTRIBUTE_TAGS and parent in ("trace", "event"):
                key = element.get("key")
                value = element.get("value")
                if key is None or value is None:
                    continue
                if parent == "trace" and key == "concept:name":
                    case = value
                elif parent == "event" and event is not None:
                    _set_attribute(event, key, value, source)
            elif tag == "event" and event is not None:
                if event.case is None:
                    event.case = case
                element.clear()
                yield event
                event = None
            elif tag == "trace" and root is not None:
                root.clear()
    except ET.ParseError as exc:
        line, column = exc.position
        raise ImportFailed(
            f"broken XES: {_reason(exc)}", where=f"{source}:{line}:{column + 1}"
        ) from None


def _set_attribute(event: XesEvent, key: str, value: str, source: Path) -> None:
    if key == "concept:name":
        event.activity = value
    elif key == "time:timestamp":
        try:
            event.timestamp = parse_timestamp(value)
        except ValueError:
            # iterparse hides its expat parser, so the event is named by trace and position.
            raise ImportFailed(
                f"time:timestamp {value!r} is not an ISO 8601 date-time",
                where=f"{source}: trace {event.case!r}, event {event.position}",
            ) from None
    elif key == "lifecycle:transition":
        event.lifecycle = value
    elif key == "org:resource":
        event.resource = value
    elif key not in _NAMED_KEYS:
        event.attributes[key] = value


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":", 1)[0]


def iter_xes_batches(path: str | Path, *, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """Yield the events of an XES file as record batches of at most ``batch_rows`` rows."""
    columns: dict[str, list[object]] = {name: [] for name in XES_SCHEMA.names}
    for event in iter_xes_events(path):
        columns["case"].append(event.case)
        columns["activity"].append(event.activity)
        columns["timestamp"].append(event.timestamp)
        columns["position"].append(event.position)
        columns["lifecycle"].append(event.lifecycle)
        columns["resource"].append(event.resource)
        columns["attributes"].append(list(event.attributes.items()))
        if len(columns["position"]) >= batch_rows:
            yield pa.RecordBatch.from_pydict(columns, schema=XES_SCHEMA)
            columns = {name: [] for name in XES_SCHEMA.names}
    if columns["position"]:
        yield pa.RecordBatch.from_pydict(columns, schema=XES_SCHEMA)


def read_xes(path: str | Path, *, batch_rows: int = BATCH_ROWS) -> pa.Table:
    """Read an XES file (plain or gzip) into an event-log table.

    Example:
        >>> events = read_xes("running-example.xes")  # doctest: +SKIP
        >>> events.column_names[:4]  # doctest: +SKIP
        ['case', 'activity', 'timestamp', 'position']
    """
    batches = list(iter_xes_batches(path, batch_rows=batch_rows))
    return pa.Table.from_batches(batches, schema=XES_SCHEMA)


def xes_to_parquet(path: str | Path, out: str | Path, *, batch_rows: int = BATCH_ROWS) -> int:
    """Stream an XES file into a Parquet file batch by batch; return the number of events.

    Nothing is left at ``out`` when the XES file is broken.
    """
    target = Path(out)
    rows = 0
    try:
        with pq.ParquetWriter(target, XES_SCHEMA) as writer:
            for batch in iter_xes_batches(path, batch_rows=batch_rows):
                writer.write_batch(batch)
                rows += batch.num_rows
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return rows
