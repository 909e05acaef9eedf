"""CSV event logs: a column mapping onto the event-log shape, read streaming.

Each data row becomes one event; ``position`` is its row order. Timestamps are ISO 8601
(with or without offset; an offset is converted to naive UTC) unless a ``strptime`` format
is given. ``iter_eventlog_csv_events`` yields each row as an event or as a located problem
(for an importer that may skip bad rows); the table readers raise ``ImportFailed`` naming the
file, the line and the column of the first bad row.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from dealgraph.errors import ImportFailed

BATCH_ROWS = 50_000
REQUIRED_ROLES = ("case", "activity", "timestamp")

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


@dataclass(slots=True)
class CsvEvent:
    """One data row of a CSV event log, with the line it ends on."""

    line: int
    position: int
    case: str
    activity: str
    timestamp: datetime
    channel: str | None = None
    resource: str | None = None
    outcome: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CsvRowProblem:
    """A data row that is no event: its line, the column at fault and why.

    ``case`` is the row's case id when that cell itself was readable.
    """

    line: int
    position: int
    column: str
    column_number: int
    message: str
    case: str | None = None

    def where(self, source: str | Path) -> str:
        """``file:line, column 'name' (number)``."""
        return f"{source}:{self.line}, column {self.column!r} ({self.column_number})"


class _CellError(Exception):
    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.message = message
        self.at = at


def _parse_time(text: str, timestamp_format: str | None) -> datetime:
    value = (
        datetime.strptime(text, timestamp_format)
        if timestamp_format
        else datetime.fromisoformat(text)
    )
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def iter_eventlog_csv_events(
    path: str | Path,
    *,
    case: str = "case",
    activity: str = "activity",
    timestamp: str = "timestamp",
    channel: str | None = None,
    resource: str | None = None,
    outcome: str | None = None,
    attributes: Sequence[str] = (),
    timestamp_format: str | None = None,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> Iterator[CsvEvent | CsvRowProblem]:
    """Yield every non-blank data row in file order: a CsvEvent, or a CsvRowProblem.

    ``attributes`` names further columns copied (when not empty) into ``CsvEvent.attributes``.

    Raises:
        ImportFailed: the header is missing or lacks a mapped column, or the CSV itself
            cannot be read past some line (``where`` is file:line).
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
        wanted = [*mapping.items(), *((r, n) for r, n in optional.items() if n)]
        wanted += [(name, name) for name in attributes]
        index: dict[str, int] = {}
        for role, name in wanted:
            assert name is not None
            if name not in header:
                raise ImportFailed(
                    f"no column {name!r} for {role}; the header has {', '.join(header)}",
                    where=f"{source}:1",
                )
            index[role] = header.index(name)
        extra = {name: header.index(name) for name in attributes}
        roles = {role: at for role, at in index.items() if role not in extra}
        position = 0
        try:
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                line = reader.line_num
                try:
                    yield _event(row, roles, extra, line, position, timestamp_format, len(header))
                except _CellError as problem:
                    case_at = roles["case"]
                    case_text = row[case_at].strip() if case_at < len(row) else ""
                    yield CsvRowProblem(
                        line=line,
                        position=position,
                        column=header[problem.at],
                        column_number=problem.at + 1,
                        message=problem.message,
                        case=case_text or None,
                    )
                position += 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFailed(
                f"unreadable row: {exc}", where=f"{source}:{reader.line_num}"
            ) from None


def _event(
    row: list[str],
    roles: dict[str, int],
    extra: dict[str, int],
    line: int,
    position: int,
    timestamp_format: str | None,
    width: int,
) -> CsvEvent:
    values: dict[str, str | None] = {}
    when: datetime | None = None
    for role, at in roles.items():
        if at >= len(row):
            raise _CellError(f"the row has {len(row)} fields, expected {width}", at)
        text = row[at].strip()
        if role in REQUIRED_ROLES and not text:
            raise _CellError(f"{role} is empty", at)
        if role == "timestamp":
            try:
                when = _parse_time(text, timestamp_format)
            except ValueError:
                expected = f"format {timestamp_format!r}" if timestamp_format else "ISO 8601"
                raise _CellError(f"timestamp {text!r} is not {expected}", at) from None
        values[role] = text or None
    kept: dict[str, str] = {}
    for name, at in extra.items():
        if at >= len(row):
            raise _CellError(f"the row has {len(row)} fields, expected {width}", at)
        if text := row[at].strip():
            kept[name] = text
    assert when is not None
    return CsvEvent(
        line=line,
        position=position,
        case=values["case"] or "",
        activity=values["activity"] or "",
        timestamp=when,
        channel=values.get("channel"),
        resource=values.get("resource"),
        outcome=values.get("outcome"),
        attributes=kept,
    )


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
    columns: dict[str, list[object]] = {name: [] for name in CSV_SCHEMA.names}
    rows = iter_eventlog_csv_events(
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
    for item in rows:
        if isinstance(item, CsvRowProblem):
            raise ImportFailed(item.message, where=item.where(path))
        columns["case"].append(item.case)
        columns["activity"].append(item.activity)
        columns["timestamp"].append(item.timestamp)
        columns["position"].append(item.position)
        columns["channel"].append(item.channel)
        columns["resource"].append(item.resource)
        columns["outcome"].append(item.outcome)
        if len(columns["position"]) >= batch_rows:
            yield pa.RecordBatch.from_pydict(columns, schema=CSV_SCHEMA)
            columns = {name: [] for name in CSV_SCHEMA.names}
    if columns["position"]:
        yield pa.RecordBatch.from_pydict(columns, schema=CSV_SCHEMA)


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
