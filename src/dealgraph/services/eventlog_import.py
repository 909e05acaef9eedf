"""Event-log import use case: an XES or CSV event log into the workspace, in one transaction.

Every case becomes a deal (external id: the case id). An event whose activity maps to a stage
of the playbook becomes a stage change, an outcome activity closes the deal, and every other
event becomes an interaction; stage changes and interactions get the external id
``<case>#<n>`` (``n`` counts the case's events in file order from 1, bad ones included), so a
second import of the same file finds them all and creates nothing.

The log is streamed: memory holds one small state per case, never the events, and records
go to the database in bulk batches (``eventlog_writer``). ``on_error="stop"`` turns the first
bad event into an ImportFailed naming file and line (the caller rolls back: nothing is
written); ``"skip"`` reports it and goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus, Outcome
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import ImportFailed
from dealgraph.io.eventlog_events import (
    XES_CASE,
    BadEvent,
    EventLogFormat,
    LogEvent,
    iter_log_events,
)
from dealgraph.io.eventlog_mapping import EventLogMapping
from dealgraph.services.common import playbook_named
from dealgraph.services.eventlog_summary import EventLogImportSummary, SkippedEvent
from dealgraph.services.eventlog_vocabulary import UnknownOutcome, Vocabulary, check_stages
from dealgraph.services.eventlog_writer import RecordWriter
from dealgraph.settings import Settings

OnError = Literal["stop", "skip"]
PROGRESS_EVERY = 1000
MAX_CASE_LENGTH = 190  # the case id plus "#<n>" must fit an external id (200 characters)
MAX_NAME = 200
MAX_SOURCE = 80
NEUTRAL = Outcome.NEUTRAL.value  # enum .value is a descriptor call: read it once per import


def default_source(path: Path) -> str:
    """``eventlog:<file name without extensions>``, e.g. ``eventlog:helpdesk``."""
    stem = path.name.split(".", 1)[0] or path.name
    return f"eventlog:{stem}"[:MAX_SOURCE]


def import_eventlog(
    session: Session,
    path: Path,
    *,
    format_name: EventLogFormat,
    mapping: EventLogMapping | None = None,
    source: str | None = None,
    on_error: OnError = "stop",
    encoding: str | None = None,
    on_events: Callable[[int], None] | None = None,
) -> EventLogImportSummary:
    """Import one event log into the workspace, in the caller's transaction.

    ``mapping`` names columns (CSV) or attributes (XES) and maps activities, channels and
    outcomes; ``source`` (else the mapping's, else ``eventlog:<name>``) is stored with every
    external id; ``encoding`` is a CSV's (default UTF-8); ``on_events`` is called with the
    number of events read since its last call, for a progress bar.

    Raises:
        ImportFailed: the mapping or the source is wrong (before anything is read), the file
            cannot be read, or (with ``on_error="stop"``) an event is bad; ``where`` names
            the mapping entry, or the file, line and column or attribute.
    """
    chosen = mapping or EventLogMapping()
    chosen.check(where="mapping")
    playbook = playbook_named(chosen.playbook or Settings().default_playbook)
    check_stages(chosen, playbook, where="mapping")
    name = source or chosen.source or default_source(path)
    if not name.strip() or len(name) > MAX_SOURCE:
        raise ImportFailed(f"a source is 1 to {MAX_SOURCE} characters", where="source")
    summary = EventLogImportSummary(
        file=str(path), format=format_name, source=name, playbook=playbook.key
    )
    run = _Run(session, summary, chosen, playbook, path=path, stop=on_error == "stop")
    unreported = 0
    events = iter_log_events(path, format_name=format_name, mapping=chosen, encoding=encoding)
    for item in events:
        run.take(item)
        unreported += 1
        if on_events is not None and unreported >= PROGRESS_EVERY:
            on_events(unreported)
            unreported = 0
    run.finish()
    if on_events is not None and unreported:
        on_events(unreported)
    return summary


class _EventError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class _Run:
    """One import: checks and classifies each event, hands the records to the writer."""

    def __init__(
        self,
        session: Session,
        summary: EventLogImportSummary,
        mapping: EventLogMapping,
        playbook: Playbook,
        *,
        path: Path,
        stop: bool,
    ) -> None:
        self.summary = summary
        self.path = path
        self.stop = stop
        self.csv = summary.format == "eventlog-csv"
        self.words = Vocabulary(mapping, playbook)
        self.writer = RecordWriter(session, summary, mapping=mapping, playbook=playbook)
        self.case_field = (mapping.column_of("case") or "case") if self.csv else XES_CASE
        self.resource_field = mapping.column_of("resource") or "org:resource"
        self.outcome_field = mapping.column_of("outcome") or "outcome"
        self.account_field = mapping.column_of("account") or "account"
        # Plain counters: a pydantic attribute write per event costs more than the event.
        self.events_read = self.cases_read = self.outcome_events = 0

    def take(self, item: LogEvent | BadEvent) -> None:
        """Import one event, or stop at (or skip) a bad one."""
        self.events_read += 1
        try:
            if isinstance(item, BadEvent):
                if item.case is not None and len(item.case) <= MAX_CASE_LENGTH:
                    self.writer.case(item.case).ordinal += 1  # a bad event keeps its number
                raise _EventError(item.field, item.reason)
            self._event(item)
        except _EventError as error:
            if self.stop:
                raise ImportFailed(error.reason, where=self._where(item, error)) from None
            self.summary.skip(
                SkippedEvent(
                    event=item.position + 1,
                    line=item.line,
                    case=item.case,
                    field=error.field,
                    reason=error.reason,
                )
            )

    def _where(self, item: LogEvent | BadEvent, error: _EventError) -> str:
        line = f", line {item.line}" if item.line is not None else ""
        if self.csv:
            return f"{self.path}{line}, column {error.field}"
        return f"{self.path}{line}, event {item.position + 1}, attribute {error.field}"

    def _check(self, event: LogEvent) -> tuple[Outcome | None, DealStatus | None]:
        """Refuse a bad event before anything of it is kept; its outcome cell, parsed."""
        for value, field in (
            (event.resource, self.resource_field),
            (event.account, self.account_field),
        ):
            if value is not None and len(value) > MAX_NAME:
                raise _EventError(field, f"longer than {MAX_NAME} characters")
        try:
            closes_with, touch_outcome = self.words.outcome(event.outcome)
        except UnknownOutcome as error:
            raise _EventError(self.outcome_field, str(error)) from None
        return touch_outcome, closes_with

    def _event(self, event: LogEvent) -> None:
        if len(event.case) > MAX_CASE_LENGTH:
            reason = f"the case id is longer than {MAX_CASE_LENGTH} characters"
            raise _EventError(self.case_field, reason)
        writer = self.writer
        case = writer.case(event.case)
        case.ordinal += 1  # before the checks: a bad event keeps its number
        touch_outcome, closes_with = self._check(event)
        key = (event.timestamp, case.ordinal)
        external_id = f"{event.case}#{case.ordinal}"
        if writer.begin(case, at=event.timestamp, resource=event.resource, account=event.account):
            self.cases_read += 1
        what = self.words.activity(event.activity)
        status = what.closing or closes_with
        if status is not None:
            writer.close(case, status, key)
        if what.closing is not None:
            self.outcome_events += 1
            writer.replace(external_id, keep=None)
        elif what.stage is not None:
            writer.stage_change(case, stage=what.stage, key=key, external_id=external_id)
        else:
            if not what.matched:
                self.summary.unmapped(event.activity)
            channel = self.words.channel(event.channel)
            if channel.note is not None:
                self.summary.warn(channel.note)
            fields = {
                "occurred_at": event.timestamp,
                "channel": channel.stored,
                "summary": event.activity,
                "seller": event.resource or "",
                "outcome": touch_outcome.value if touch_outcome else NEUTRAL,
            }
            writer.interaction(case, fields, external_id=external_id)

    def finish(self) -> None:
        """Write the rest and settle the deals; copy the counters into the summary."""
        self.writer.finish()
        summary = self.summary
        summary.events_read, summary.cases_read = self.events_read, self.cases_read
        summary.outcome_events = self.outcome_events


__all__ = ["EventLogImportSummary", "SkippedEvent", "default_source", "import_eventlog"]
