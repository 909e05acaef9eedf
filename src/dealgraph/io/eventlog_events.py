"""One stream of events from an XES or a CSV event log, in file order, for an importer.

Each event comes out as a :class:`LogEvent` (its fields picked by the mapping) or, when it is
not usable, as a :class:`BadEvent` naming the line, the column or attribute at fault and why.
Both readers stream, so memory stays flat whatever the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from dealgraph.errors import ImportFailed
from dealgraph.io.crm.reader import check_encoding
from dealgraph.io.eventlog_csv import CsvRowProblem, iter_eventlog_csv_events
from dealgraph.io.eventlog_mapping import EventLogMapping
from dealgraph.io.xes import iter_xes_events

EventLogFormat = Literal["xes", "eventlog-csv"]
EVENTLOG_FORMATS: tuple[EventLogFormat, ...] = ("xes", "eventlog-csv")

# What XES fixes by its standard extensions, and the attribute that carries each.
XES_CASE = "concept:name of the trace"
XES_ACTIVITY = "concept:name"
XES_TIMESTAMP = "time:timestamp"
XES_RESOURCE = "org:resource"


@dataclass(slots=True)
class LogEvent:
    """One usable event: ``position`` counts events in the file from 0."""

    position: int
    line: int | None
    case: str
    activity: str
    timestamp: datetime
    channel: str | None = None
    resource: str | None = None
    outcome: str | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class BadEvent:
    """An event that cannot be imported; ``field`` is the CSV column or XES attribute."""

    position: int
    line: int | None
    case: str | None
    field: str
    reason: str


def is_xes(path: Path) -> bool:
    """True for a ``.xes`` or ``.xes.gz`` file name."""
    return path.name.lower().endswith((".xes", ".xes.gz"))


def iter_log_events(
    path: Path,
    *,
    format_name: EventLogFormat,
    mapping: EventLogMapping,
    encoding: str | None = None,
) -> Iterator[LogEvent | BadEvent]:
    """Yield every event of the log in file order, mapped by ``mapping.columns``.

    ``encoding`` is a CSV's text encoding (default UTF-8, a BOM honoured); XES files
    declare their own.

    Raises:
        ImportFailed: the mapping does not fit the format (``where`` names the mapping
            entry), or the file cannot be read at all (``where`` names file and line).
    """
    if format_name == "xes":
        if encoding is not None:
            raise ImportFailed("an XES file declares its own encoding", where="--encoding")
        return _xes_events(path, mapping)
    return _csv_events(path, mapping, check_encoding(encoding) if encoding else "utf-8-sig")


def _xes_events(path: Path, mapping: EventLogMapping) -> Iterator[LogEvent | BadEvent]:
    for fixed in ("case", "activity", "timestamp"):
        column = mapping.column_of(fixed)
        if column is not None:
            raise ImportFailed(
                f"XES fixes the {fixed} (trace concept:name, event concept:name, "
                "time:timestamp); map only channel, resource, outcome and account",
                where=f"mapping -> columns -> {column}",
            )
    channel_key = mapping.column_of("channel")
    outcome_key = mapping.column_of("outcome")
    account_key = mapping.column_of("account")
    resource_key = mapping.column_of("resource") or XES_RESOURCE
    for event in iter_xes_events(path):
        # The reader being rewritten adds ``line``; older readers do not have it.
        line: int | None = getattr(event, "line", None)
        problem = None
        if not event.case:
            problem = (XES_CASE, "the trace has no concept:name (the case id)")
        elif not event.activity:
            problem = (XES_ACTIVITY, "the event has no concept:name (the activity)")
        elif event.timestamp is None:
            problem = (XES_TIMESTAMP, "the event has no time:timestamp")
        if problem is not None:
            yield BadEvent(event.position, line, event.case or None, *problem)
            continue
        assert event.case is not None and event.activity is not None
        assert event.timestamp is not None
        attributes = event.attributes
        resource = event.resource if resource_key == XES_RESOURCE else attributes.get(resource_key)
        yield LogEvent(
            position=event.position,
            line=line,
            case=event.case,
            activity=event.activity,
            timestamp=event.timestamp,
            channel=attributes.get(channel_key) if channel_key else None,
            resource=resource or None,
            outcome=attributes.get(outcome_key) if outcome_key else None,
            account=attributes.get(account_key) if account_key else None,
        )


def _csv_events(
    path: Path, mapping: EventLogMapping, encoding: str
) -> Iterator[LogEvent | BadEvent]:
    missing = [f for f in ("case", "activity", "timestamp") if mapping.column_of(f) is None]
    if missing:
        options = ", ".join(f"--{f}" for f in missing)
        raise ImportFailed(
            f"name the CSV columns of {', '.join(missing)} ({options} or the mapping file's "
            "columns)",
            where="mapping -> columns",
        )
    account = mapping.column_of("account")
    rows = iter_eventlog_csv_events(
        path,
        case=_column(mapping, "case"),
        activity=_column(mapping, "activity"),
        timestamp=_column(mapping, "timestamp"),
        channel=mapping.column_of("channel"),
        resource=mapping.column_of("resource"),
        outcome=mapping.column_of("outcome"),
        attributes=(account,) if account else (),
        timestamp_format=mapping.timestamp_format,
        encoding=encoding,
    )
    for row in rows:
        if isinstance(row, CsvRowProblem):
            yield BadEvent(row.position, row.line, row.case, row.column, row.message)
            continue
        yield LogEvent(
            position=row.position,
            line=row.line,
            case=row.case,
            activity=row.activity,
            timestamp=row.timestamp,
            channel=row.channel,
            resource=row.resource,
            outcome=row.outcome,
            account=row.attributes.get(account) if account else None,
        )


def _column(mapping: EventLogMapping, event_field: str) -> str:
    column = mapping.column_of(event_field)
    assert column is not None
    return column


__all__ = [
    "EVENTLOG_FORMATS",
    "BadEvent",
    "EventLogFormat",
    "LogEvent",
    "is_xes",
    "iter_log_events",
]
