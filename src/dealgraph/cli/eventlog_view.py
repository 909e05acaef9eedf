"""``dealgraph import --format xes|eventlog-csv``: options, progress on stderr, the summary.

The column options name CSV columns (``eventlog-csv``) or, for ``--channel``, ``--resource``
and ``--outcome``, XES event attributes; they win over the mapping file's ``columns``.
Rich's progress and table modules load inside the functions, so ``dealgraph --help`` stays
fast although ``cli.workspace`` imports the options from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from dealgraph.cli.common import (
    abort,
    console,
    describe_url,
    import_progress,
    open_workspace,
    print_json,
    print_record_counts,
)

if TYPE_CHECKING:
    from dealgraph.services.eventlog_import import EventLogImportSummary

XES_FIXED = ("case", "activity", "timestamp")


def _column_option(name: str, help_text: str) -> Any:
    return typer.Option(f"--{name}", help=help_text, show_default=False)


CaseOption = Annotated[
    str | None, _column_option("case", "Event logs (CSV): the column holding the case id.")
]
ActivityOption = Annotated[
    str | None, _column_option("activity", "Event logs (CSV): the column holding the activity.")
]
TimestampOption = Annotated[
    str | None,
    _column_option("timestamp", "Event logs (CSV): the column holding the event's time."),
]
ChannelOption = Annotated[
    str | None,
    _column_option("channel", "Event logs: the CSV column or XES attribute holding the channel."),
]
ResourceOption = Annotated[
    str | None,
    _column_option(
        "resource",
        "Event logs: the CSV column or XES attribute naming who acted (XES: org:resource).",
    ),
]
OutcomeOption = Annotated[
    str | None,
    _column_option(
        "outcome",
        "Event logs: the CSV column or XES attribute holding an outcome (won, lost, "
        "no_decision close the deal; advanced, neutral, setback rate the interaction).",
    ),
]
TimestampFormatOption = Annotated[
    str | None,
    _column_option(
        "timestamp-format", "Event logs (CSV): strptime format of the timestamps (default ISO)."
    ),
]
SourceOption = Annotated[
    str | None,
    _column_option(
        "source",
        "Event logs: the source stored with every external id (default: the mapping's "
        "source, else eventlog:<file name>).",
    ),
]


@dataclass(frozen=True)
class EventLogOptions:
    """The event-log-only options of ``dealgraph import`` as given."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    channel: str | None = None
    resource: str | None = None
    outcome: str | None = None
    timestamp_format: str | None = None
    source: str | None = None

    def given(self) -> list[str]:
        """The options given, as ``--name``."""
        names = {"timestamp_format": "timestamp-format"}
        return [f"--{names.get(k, k)}" for k, v in vars(self).items() if v is not None]

    def columns(self) -> dict[str, str | None]:
        """Event field -> column or attribute named on the command line."""
        return {
            "case": self.case,
            "activity": self.activity,
            "timestamp": self.timestamp,
            "channel": self.channel,
            "resource": self.resource,
            "outcome": self.outcome,
        }


def eventlog_format(file: Path, format_name: str | None) -> str | None:
    """``xes`` for a .xes or .xes.gz file when no format is named, else the named format."""
    if format_name is None and file.name.lower().endswith((".xes", ".xes.gz")):
        return "xes"
    return format_name


def import_eventlog_file(
    file: Path,
    *,
    db: str | None,
    format_name: Literal["xes", "eventlog-csv"],
    mapping: Path | None,
    options: EventLogOptions,
    encoding: str | None,
    on_error: Literal["stop", "skip"],
    as_json: bool,
) -> None:
    """Run one event-log import in one transaction and print what it did."""
    from rich.progress import TextColumn, TimeElapsedColumn

    from dealgraph.io.eventlog_mapping import EventLogMapping, load_eventlog_mapping
    from dealgraph.services.eventlog_import import import_eventlog

    if format_name == "xes":
        fixed = [f"--{name}" for name in XES_FIXED if getattr(options, name)]
        if options.timestamp_format:
            fixed.append("--timestamp-format")
        if fixed:
            abort(
                f"{', '.join(fixed)}: XES fixes the case, activity and time (concept:name, "
                "time:timestamp); these options are for --format eventlog-csv"
            )
    if not file.is_file():
        abort(f"{file}: no such file")
    loaded = load_eventlog_mapping(mapping) if mapping is not None else EventLogMapping()
    if options.timestamp_format:
        loaded = loaded.model_copy(update={"timestamp_format": options.timestamp_format})
    loaded = loaded.with_columns(options.columns())
    progress = import_progress(
        TextColumn("{task.completed:,.0f} events read"), TimeElapsedColumn(), as_json=as_json
    )
    with (
        progress,
        open_workspace(db, create=True) as database,
        database.session() as session,
    ):
        task = progress.add_task(file.name, total=None)
        summary = import_eventlog(
            session,
            file,
            format_name=format_name,
            mapping=loaded,
            source=options.source,
            on_error=on_error,
            encoding=encoding,
            on_events=lambda n: progress.advance(task, n),
        )
        where = describe_url(database.url)
    if as_json:
        print_json(summary.model_dump(mode="json"))
        return
    show_summary(summary, where=where)


def show_summary(summary: EventLogImportSummary, *, where: str) -> None:
    """The summary for people: one line, a table by record kind, then notes and skipped events."""

    console.print(
        f"imported {summary.file} ({summary.format}, source {summary.source}, playbook "
        f"{summary.playbook}) into {where}: {summary.events_read} events of "
        f"{summary.cases_read} cases read, {summary.created_total} created, "
        f"{summary.updated_total} updated, {summary.skipped_count} skipped",
        markup=False,
    )
    print_record_counts(summary)
    if summary.outcome_events:
        console.print(f"{summary.outcome_events} outcome events closed their deals", markup=False)
    if summary.unmapped_activities:
        listed = sorted(summary.unmapped_activities.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{name} ({n})" for name, n in listed[:10])
        more = f" and {len(listed) - 10} more (see --json)" if len(listed) > 10 else ""
        console.print(
            f"activities that matched no stage, kept as interactions: {shown}{more}",
            markup=False,
        )
    for note, count in summary.warnings.items():
        console.print(f"note: {note} ({count})", markup=False)
    for skipped in summary.skipped:
        line = f"line {skipped.line}" if skipped.line is not None else f"event {skipped.event}"
        console.print(f"skipped {line} ({skipped.field}): {skipped.reason}", markup=False)
    hidden = summary.skipped_count - len(summary.skipped)
    if hidden > 0:
        console.print(f"... and {hidden} more skipped events (see --json)", markup=False)
