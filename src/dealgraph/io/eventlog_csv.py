"""CSV event logs: a column mapping onto the event-log shape, read streaming.

Each data row becomes one event; ``position`` is its row order. Timestamps are ISO 8601
(with or without offset; an offset is converted to naive UTC) unless a ``strptime`` format
is given. A bad row raises ``ImportFailed`` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from dealgraph.errors import ImportFailed

BATCH_ROWS = 50_000

CSV_SCHEMA = pa.schema(
    [
        pa.field("case", pa.string()),
        pa.field("activity", pa.string()),
        pa.field("timestamp", pa.timestamp("us")),
        pa.field("position", pa.int64()),
        pa.field("channel", pa.string()),
        pa.field("resource", pa.string()),
        pa.field("outcome", pa.string()),
    ]
)


def _parse_time(text: str, timestamp_format: str | None) -> datetime:
    value = (
        datetime.strptime(text, timestamp_format)
        if timestamp_format
        else datetime.fromisoformat(text)
    )
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def iter_eventlog_csv_batches(
    path: str | Path,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    channel: str | None = None,
    resource: str | None = None,
    outcome: str | None = None,
    timestamp_format: str | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Yield a CSV event log as record batches in the event-log shape.

    Raises:
        ImportFailed: a mapped column is missing from the header, or a row has an empty
            case/activity or a timestamp that does not parse (``where`` is file:line, column).
    """
    source = Path(path)
    mapping = {"case": case, "activity": activity, "timestamp": timestamp}
    optional = {"channel": channel, "resource": resource, "outcome": outcome}
    with source.open(newline="", encoding=encoding) as stream:
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise ImportFailed(
                "the file is empty; expected a header row", where=f"{source}:1"
            ) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFailed(f"unreadable header: {exc}", where=f"{source}:1") from None
        index: dict[str, int] = {}
        for role, name in [*mapping.items(), *((r, n) for r, n in optional.items() if n)]:
            assert name is not None
            if name not in header:
                raise ImportFailed(
                    f"no column {name!r} for {role}; the header has {', '.join(header)}",
                    where=f"{source}:1",
                )
            index[role] = header.index(name)
        columns: dict[str, list[object]] = {name: [] for name in CSV_SCHEMA.names}
        position = 0
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                line = reader.line_num
                values = _row_values(row, index, header, source, line, timestamp_format)
                for role in CSV_SCHEMA.names:
                    columns[role].append(position if role == "position" else values.get(role))
                position += 1
                if len(columns["position"]) >= batch_rows:
                    yield pa.RecordBatch.from_pydict(columns, schema=CSV_SCHEMA)
                    columns = {name: [] for name in CSV_SCHEMA.names}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFailed(
                f"unreadable row: {exc}", where=f"{source}:{reader.line_num}"
            ) from None
        if columns["position"]:
            yield pa.RecordBatch.from_pydict(columns, schema=CSV_SCHEMA)


def _row_values(
    row: list[str],
    index: dict[str, int],
    header: list[str],
    source: Path,
    line: int,
    timestamp_format: str | None,
) -> dict[str, object]:
    values: dict[str, object] = {}
    for role, at in index.items():
        where = f"{source}:{line}, column {header[at]!r} ({at + 1})"
        if at >= len(row):
            raise ImportFailed(
                f"the row has {len(row)} fields, expected {len(header)}", where=where
            )
        text = row[at].strip()
        if role in ("case", "activity", "timestamp") and not text:
            raise ImportFailed(f"{role} is empty", where=where)
        if role == "timestamp":
            try:
                values[role] = _parse_time(text, timestamp_format)
            except ValueError:
                expected = f"format {timestamp_format!r}" if timestamp_format else "ISO 8601"
                raise ImportFailed(f"timestamp {text!r} is not {expected}", where=where) from None
        else:
            values[role] = text or None
    return values


def read_eventlog_csv(
    path: str | Path,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    channel: str | None = None,
    resource: str | None = None,
    outcome: str | None = None,
    timestamp_format: str | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> pa.Table:
    """Read a CSV event log into the event-log shape, mapping its columns by name.

    Example:
        >>> events = read_eventlog_csv(  # doctest: +SKIP
        ...     "touches.csv", case="deal_id", activity="step", timestamp="at", channel="via"
        ... )
        >>> events.column_names  # doctest: +SKIP
        ['case', 'activity', 'timestamp', 'position', 'channel', 'resource', 'outcome']
    """
    batches = list(
        iter_eventlog_csv_batches(
            path,
            case=case,
            activity=activity,
            timestamp=timestamp,
            channel=channel,
            resource=resource,
            outcome=outcome,
            timestamp_format=timestamp_format,
            encoding=encoding,
            delimiter=delimiter,
        )
    )
    return pa.Table.from_batches(batches, schema=CSV_SCHEMA)
