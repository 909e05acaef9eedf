"""XES (IEEE 1849) export of an event log: one trace per case, written as a stream.

Each event carries ``concept:name`` (activity), ``time:timestamp`` (ISO 8601 with ``Z``),
``org:resource`` and ``channel``/``outcome`` as string attributes. The events of a case must
be contiguous (``workspace_event_log`` gives them so), which lets the writer hold one event at
a time. A case table, when given, adds the deal's status, seller, segment, value and creation
time to its trace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol
from xml.sax.saxutils import quoteattr

import pyarrow as pa

from dealgraph.errors import InvalidInput
from dealgraph.io.export_csv import record_batches

XES_NAMESPACE = "http://www.xes-standard.org/"

_HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="nested-attributes" xmlns="{XES_NAMESPACE}">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <classifier name="Activity" keys="concept:name"/>
  <string key="concept:name" value="dealgraph workspace"/>
"""


class BinaryWriter(Protocol):
    """Anything bytes can be written to: a file opened ``wb``, a gzip file, a BytesIO."""

    def write(self, data: bytes, /) -> object:
        """Write ``data``."""


def xes_time(value: datetime) -> str:
    """A naive UTC time as XES writes it: ISO 8601 with ``Z`` (milliseconds unless finer).

    >>> xes_time(datetime(2026, 1, 5, 9, 30))
    '2026-01-05T09:30:00.000Z'
    >>> xes_time(datetime(2026, 1, 5, 9, 30, 0, 1))
    '2026-01-05T09:30:00.000001Z'
    """
    spec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    return value.isoformat(timespec=spec) + "Z"


# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text without the control characters XML 1.0 forbids (they cannot be escaped)."""
    return _NOT_XML.sub("", value)


def _attribute(kind: str, key: str, value: str) -> str:
    return f"<{kind} key={quoteattr(xml_text(key))} value={quoteattr(xml_text(value))}/>"


def _trace_attributes(case: Mapping[str, Any]) -> list[str]:
    lines = []
    for key in ("status", "seller", "segment"):
        if case.get(key) is not None:
            lines.append(_attribute("string", key, str(case[key])))
    if case.get("value") is not None:
        lines.append(_attribute("float", "value", repr(float(case["value"]))))
    if case.get("created_at") is not None:
        lines.append(_attribute("date", "created_at", xes_time(case["created_at"])))
    return lines


def _event(row: Mapping[str, Any]) -> str:
    parts = [_attribute("string", "concept:name", str(row["activity"]))]
    if row.get("timestamp") is not None:
        parts.append(_attribute("date", "time:timestamp", xes_time(row["timestamp"])))
    if row.get("resource") is not None:
        parts.append(_attribute("string", "org:resource", str(row["resource"])))
    for key in ("channel", "outcome"):
        if row.get(key) is not None:
            parts.append(_attribute("string", key, str(row[key])))
    return "    <event>" + "".join(parts) + "</event>\n"


def write_xes(
    events: pa.Table | Iterable[pa.RecordBatch],
    stream: BinaryWriter,
    *,
    cases: pa.Table | None = None,
) -> int:
    """Write an event log as XES to a binary stream; return the number of events written.

    Example:
        >>> import io
        >>> log = pa.table({"case": ["7"], "activity": ["qualify"],
        ...                 "timestamp": [datetime(2026, 1, 5)]})
        >>> write_xes(log, io.BytesIO())
        1

    Raises:
        InvalidInput: the events of one case are not contiguous.
    """
    case_rows = {str(row["case"]): row for row in cases.to_pylist()} if cases is not None else {}
    stream.write(_HEADER.encode("utf-8"))
    current: str | None = None
    finished: set[str] = set()
    written = 0
    for batch in record_batches(events):
        for row in batch.to_pylist():
            case = str(row["case"])
            if case != current:
                if current is not None:
                    stream.write(b"  </trace>\n")
                    finished.add(current)
                if case in finished:
                    raise InvalidInput(
                        f"the events of case {case!r} are not contiguous", where="event log"
                    )
                current = case
                head = [_attribute("string", "concept:name", case)]
                head += _trace_attributes(case_rows.get(case, {}))
                stream.write(("  <trace>" + "".join(head) + "\n").encode("utf-8"))
            stream.write(_event(row).encode("utf-8"))
            written += 1
    if current is not None:
        stream.write(b"  </trace>\n")
    stream.write(b"</log>\n")
    return written
