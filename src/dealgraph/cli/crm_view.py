"""``dealgraph import --format <crm preset>``: progress on stderr, a summary table or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rich.progress import DownloadColumn, TimeRemainingColumn

from dealgraph.cli.common import (
    console,
    describe_url,
    import_progress,
    open_workspace,
    print_json,
    print_record_counts,
)

if TYPE_CHECKING:
    from dealgraph.services.crm_import import CrmImportSummary


def import_crm_file(
    file: Path,
    *,
    db: str | None,
    format_name: str,
    mapping: Path | None,
    encoding: str | None,
    on_error: Literal["stop", "skip"],
    as_json: bool,
) -> None:
    """Run one CRM import in one transaction and print what it did."""
    from dealgraph.io.crm.mapping import load_mapping
    from dealgraph.services.crm_import import import_crm

    loaded = load_mapping(mapping) if mapping is not None else None
    size = file.stat().st_size if file.exists() else None
    progress = import_progress(DownloadColumn(), TimeRemainingColumn(), as_json=as_json)
    with (
        progress,
        open_workspace(db, create=True) as database,
        database.session() as session,
    ):
        task = progress.add_task(file.name, total=size)
        summary = import_crm(
            session,
            file,
            format_name=format_name,
            mapping=loaded,
            encoding=encoding,
            on_error=on_error,
            on_bytes=lambda n: progress.advance(task, n),
        )
        where = describe_url(database.url)
    if as_json:
        print_json(summary.model_dump(mode="json"))
        return
    show_summary(summary, where=where)


def show_summary(summary: CrmImportSummary, *, where: str) -> None:
    """The summary for people: one line, a table by record kind, then notes and skipped rows."""
    detected = " (detected)" if summary.encoding_detected else ""
    console.print(
        f"imported {summary.file} ({summary.format}, {summary.encoding}{detected}) into "
        f"{where}: {summary.rows_read} rows read, {summary.created_total} created, "
        f"{summary.updated_total} updated, {summary.skipped_count} skipped",
        markup=False,
    )
    print_record_counts(summary)
    for note, rows in summary.warnings.items():
        console.print(f"note: {note} ({rows} rows)", markup=False)
    for skipped in summary.skipped:
        column = f" column {skipped.column}" if skipped.column else ""
        console.print(f"skipped line {skipped.line}{column}: {skipped.reason}", markup=False)
    hidden = summary.skipped_count - len(summary.skipped)
    if hidden > 0:
        console.print(f"... and {hidden} more skipped rows (see --json)", markup=False)
