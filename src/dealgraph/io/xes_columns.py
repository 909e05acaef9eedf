"""XES bytes to Arrow record batches, with pyexpat handlers that fill per-batch Python lists.

No element tree is built: the start and end handlers append each finished event's values
straight to the lists of the current batch (``EventColumns``). Inside an event the handlers
are swapped for two lean ones that only track depth and collect the event's key/value
attributes, since that is where nearly all of a log's elements are. Timestamps stay text
until a whole batch is converted, when Arrow parses them in one go; a batch Arrow cannot
parse (mixed or unusual layouts) falls back to ``datetime.fromisoformat`` value by value,
which also names the event of a bad value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from xml.parsers import expat

import numpy as np
import pyarrow as pa

from dealgraph.errors import ImportFailed

BATCH_ROWS = 50_000
CHUNK_BYTES = 1 << 20

# Element names that carry a key/value attribute (nested children are ignored).
_ATTRIBUTE_TAGS = frozenset(
    {"string", "date", "int", "float", "boolean", "id", "list", "container"}
)
# expat joins a namespaced name as ``uri}local``: the local name is what follows the "}".
_SEPARATOR = "}"
_PROBE = b"<dealgraph-split-probe/>"

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
class EventColumns:
    """A batch of events in file order, as Python lists (timestamps still text).

    The other attributes of event ``i`` are ``keys[offsets[i]:offsets[i + 1]]`` with the
    same slice of ``values``; ``line`` is the line of each ``<event>`` start tag.
    """

    first_position: int
    case: list[str | None] = field(default_factory=list)
    activity: list[str | None] = field(default_factory=list)
    timestamp: list[str | None] = field(default_factory=list)
    lifecycle: list[str | None] = field(default_factory=list)
    resource: list[str | None] = field(default_factory=list)
    line: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    offsets: list[int] = field(default_factory=lambda: [0])


class _LocalNames(dict[str, str]):
    """Expat's ``uri}local`` names to local names, computed once per distinct name."""

    def __missing__(self, name: str) -> str:
        local = self[name] = name.rpartition(_SEPARATOR)[2]
        return local


class _AttributeTags(dict[str, bool]):
    """Whether an expat name is an XES attribute element, computed once per distinct name."""

    def __missing__(self, name: str) -> bool:
        found = self[name] = name.rpartition(_SEPARATOR)[2] in _ATTRIBUTE_TAGS
        return found


class EventParser:
    """Feed XES bytes in pieces; finished events come back as batches of ``batch_rows``.

    Outside events a stack of local tag names tells a trace's attributes from others; a
    trace's ``concept:name`` is the case of its events. Events count from ``first_position``.
    """

    def __init__(self, *, batch_rows: int = BATCH_ROWS, first_position: int = 0) -> None:
        parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
        self._parser = parser
        self._ready: list[EventColumns] = []
        self.batch = EventColumns(first_position=first_position)
        self.first_trace_byte: int | None = None
        """Byte offset of the first ``<trace>`` start tag under the root, once seen."""
        stack: list[str] = []
        local = _LocalNames()
        is_attribute = _AttributeTags()
        ready = self._ready
        case: str | None = None
        depth = 0
        found: dict[str, str] = {}
        line = 0

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal case, depth, found, line
            tag = local[name]
            parent = stack[-1] if stack else ""
            if tag == "event" and parent == "trace":
                found = {}
                line = parser.CurrentLineNumber
                depth = 0
                parser.StartElementHandler = event_start
                parser.EndElementHandler = event_end
                return
            if tag == "trace":
                case = None
                if len(stack) == 1 and self.first_trace_byte is None:
                    self.first_trace_byte = parser.CurrentByteIndex
            elif parent == "trace" and tag in _ATTRIBUTE_TAGS:
                value = attrs.get("value")
                if value is not None and attrs.get("key") == "concept:name":
                    case = value
            stack.append(tag)

        def end(name: str) -> None:
            stack.pop()

        def event_start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth
            depth += 1
            if depth == 1 and is_attribute[name]:
                key = attrs.get("key")
                value = attrs.get("value")
                if key is not None and value is not None:
                    found[key] = value

        def event_end(name: str) -> None:
            nonlocal depth
            if depth:
                depth -= 1
                return
            batch = self.batch
            batch.case.append(case)
            batch.activity.append(found.pop("concept:name", None))
            batch.timestamp.append(found.pop("time:timestamp", None))
            batch.lifecycle.append(found.pop("lifecycle:transition", None))
            batch.resource.append(found.pop("org:resource", None))
            batch.line.append(line)
            batch.keys.extend(found)
            batch.values.extend(found.values())
            batch.offsets.append(len(batch.keys))
            parser.StartElementHandler = start
            parser.EndElementHandler = end
            if len(batch.case) >= batch_rows:
                ready.append(batch)
                self.batch = EventColumns(first_position=batch.first_position + len(batch.case))

        def at_log_level() -> bool:
            return len(stack) == 1 and parser.StartElementHandler is start

        self._at_log_level: Callable[[], bool] = at_log_level
        self._stack = stack
        parser.StartElementHandler = start
        parser.EndElementHandler = end

    def feed(self, data: bytes, *, final: bool = False) -> list[EventColumns]:
        """Parse the next piece; return the batches it completed (with ``final``, all).

        Raises:
            expat.ExpatError: the XML is broken; ``broken_xml`` names file, line and column.
        """
        self._parser.Parse(data, final)
        if final:
            return self.drain()
        done = list(self._ready)
        self._ready.clear()
        return done

    def drain(self) -> list[EventColumns]:
        """The events finished so far and not yet returned (after broken XML, say)."""
        done = [*self._ready, self.batch] if self.batch.case else list(self._ready)
        self._ready.clear()
        self.batch = EventColumns(first_position=self.batch.first_position + len(self.batch.case))
        return done

    def probe_log_level(self) -> bool:
        """True when the bytes fed so far end between two children of the root element.

        A probe element is fed: its start tag fires only outside comments, CDATA sections
        and processing instructions, and it must sit right under the root. The parser
        takes no real input after this.
        """
        if not self._at_log_level():
            return False
        depths: list[int] = []
        stack = self._stack
        self._parser.StartElementHandler = lambda name, attrs: depths.append(len(stack))
        self._parser.EndElementHandler = None
        try:
            self._parser.Parse(_PROBE, False)
        except expat.ExpatError:
            return False
        return depths == [1]


def broken_xml(source: Path, error: expat.ExpatError) -> ImportFailed:
    """The located error for broken XML: ``where`` is ``file:line:column`` (1-based)."""
    return ImportFailed(
        f"broken XES: {expat.ErrorString(error.code)}",
        where=f"{source}:{error.lineno}:{error.offset + 1}",
    )


def read_chunks(stream: IO[bytes], *, end: int | None = None) -> Iterator[bytes]:
    """Read ``stream`` in pieces of ``CHUNK_BYTES``, up to byte ``end`` (default: the end)."""
    left = end
    while left is None or left > 0:
        size = CHUNK_BYTES if left is None else min(CHUNK_BYTES, left)
        chunk = stream.read(size)
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def parse_columns(
    source: Path,
    chunks: Iterable[bytes],
    *,
    batch_rows: int = BATCH_ROWS,
    flush_on_error: bool = False,
) -> Iterator[EventColumns]:
    """Parse a whole XES document given in pieces into batches of at most ``batch_rows``.

    With ``flush_on_error`` the events finished before broken XML come out before the error.

    Raises:
        ImportFailed: the XML is broken (``where`` is ``file:line:column``).
    """
    parser = EventParser(batch_rows=batch_rows)
    try:
        for chunk in chunks:
            yield from parser.feed(chunk)
        done = parser.feed(b"", final=True)
    except expat.ExpatError as exc:
        if flush_on_error:
            yield from parser.drain()
        raise broken_xml(source, exc) from None
    yield from done


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp as naive UTC (a value without offset is taken as UTC).

    >>> parse_timestamp("2010-12-30T14:32:00.000+01:00")
    datetime.datetime(2010, 12, 30, 13, 32)
    """
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def checked_timestamp(columns: EventColumns, index: int, source: Path) -> datetime | None:
    """Event ``index``'s timestamp, or ImportFailed naming its trace, position and line."""
    text = columns.timestamp[index]
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        raise ImportFailed(
            f"time:timestamp {text!r} is not an ISO 8601 date-time "
            f"(event starting on line {columns.line[index]})",
            where=f"{source}: trace {columns.case[index]!r}, "
            f"event {columns.first_position + index}",
        ) from None


def _timestamps(columns: EventColumns, source: Path) -> pa.Array:
    """The batch's timestamps as naive UTC: by Arrow when it can, else value by value."""
    text = pa.array(columns.timestamp, pa.string())
    try:  # every value has an offset ("Z", "+01:00", ...)
        return text.cast(pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us"))
    except pa.ArrowInvalid:
        pass
    try:  # no value has an offset: taken as UTC
        return text.cast(pa.timestamp("us"))
    except pa.ArrowInvalid:
        pass
    parsed = [checked_timestamp(columns, i, source) for i in range(len(columns.timestamp))]
    return pa.array(parsed, pa.timestamp("us"))


def to_record_batch(columns: EventColumns, source: Path) -> pa.RecordBatch:
    """The batch as Arrow, in ``XES_SCHEMA``.

    Raises:
        ImportFailed: a timestamp is not ISO 8601 (``where`` names trace and event).
    """
    first = columns.first_position
    positions = np.arange(first, first + len(columns.case), dtype=np.int64)
    attributes = pa.MapArray.from_arrays(
        pa.array(columns.offsets, pa.int32()),
        pa.array(columns.keys, pa.string()),
        pa.array(columns.values, pa.string()),
    )
    arrays = [
        pa.array(columns.case, pa.string()),
        pa.array(columns.activity, pa.string()),
        _timestamps(columns, source),
        pa.array(positions),
        pa.array(columns.lifecycle, pa.string()),
        pa.array(columns.resource, pa.string()),
        attributes,
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=XES_SCHEMA)


__all__ = [
    "BATCH_ROWS",
    "XES_SCHEMA",
    "EventColumns",
    "EventParser",
    "broken_xml",
    "checked_timestamp",
    "parse_columns",
    "parse_timestamp",
    "read_chunks",
    "to_record_batch",
]
