"""Export use cases: the workspace (or one deal) to native JSON, CSV, XES, OCEL, Parquet, DMN.

Every export is written to a temporary file beside the target and moved into place only when
complete, so a failed export leaves nothing behind and never a half-written file.
"""

from __future__ import annotations

import gzip
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from dealgraph.errors import InvalidInput

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlalchemy.orm import Session

ExportFormat = Literal["native", "csv", "xes", "ocel", "parquet", "dmn"]
ExportTable = Literal["events", "cases"]
FORMATS: tuple[ExportFormat, ...] = ("native", "csv", "xes", "ocel", "parquet", "dmn")
TABLES: tuple[ExportTable, ...] = ("events", "cases")

# Longest suffixes first: ``.ocel.json`` must win over ``.json``.
_SUFFIXES: tuple[tuple[str, ExportFormat], ...] = (
    (".ocel.json", "ocel"),
    (".jsonocel", "ocel"),
    (".json", "native"),
    (".csv", "csv"),
    (".xes.gz", "xes"),
    (".xes", "xes"),
    (".parquet", "parquet"),
    (".dmn", "dmn"),
)


class ExportSummary(BaseModel):
    """What an export wrote: the file, its format and how many of each thing."""

    path: str
    format: ExportFormat
    counts: dict[str, int]


def guess_format(path: Path) -> ExportFormat:
    """The export format a file name asks for.

    >>> guess_format(Path("deals.ocel.json"))
    'ocel'

    Raises:
        InvalidInput: the suffix is not one an exporter writes.
    """
    name = path.name.lower()
    for suffix, fmt in _SUFFIXES:
        if name.endswith(suffix):
            return fmt
    known = ", ".join(suffix for suffix, _ in _SUFFIXES)
    raise InvalidInput(
        f"cannot tell the format from the name; use {known} or --format", where=str(path)
    )


def check_format(name: str) -> ExportFormat:
    """A format name as given by a user, checked.

    Raises:
        InvalidInput: not one of ``FORMATS``.
    """
    for fmt in FORMATS:
        if name == fmt:
            return fmt
    raise InvalidInput(f"{name!r} is not one of {', '.join(FORMATS)}", where="--format")


@contextmanager
def _replacing(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out`` that replaces it when the block ends well."""
    if not out.parent.is_dir():
        raise InvalidInput(f"{out.parent} is not an existing directory", where=str(out))
    # Created with open(), not mkstemp, so the file gets the user's umask, not 0600.
    temporary = out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}.part")
    temporary.open("xb").close()
    try:
        yield temporary
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)


def export_file(
    session: Session,
    *,
    out: Path,
    fmt: ExportFormat | None = None,
    deal_id: int | None = None,
    table: ExportTable = "events",
) -> ExportSummary:
    """Export the workspace, or one deal, to ``out`` in ``fmt`` (guessed from the name if None).

    ``table`` picks the event log or the case table for CSV and Parquet. DMN needs a deal;
    native JSON is always the whole workspace.

    Raises:
        InvalidInput: an unknown format, an option that does not apply, or a missing directory.
        NotFound: ``deal_id`` names no deal.
    """
    chosen = fmt or guess_format(out)
    if table != "events" and chosen not in ("csv", "parquet"):
        raise InvalidInput("only csv and parquet export the case table", where="--table")
    if chosen == "native" and deal_id is not None:
        raise InvalidInput("native JSON always exports the whole workspace", where="--deal")
    if chosen == "dmn" and deal_id is None:
        raise InvalidInput("a DMN export is one deal's decision graph: pass --deal", where="--deal")
    if deal_id is not None:
        from dealgraph.store.deals import get_deal

        get_deal(session, deal_id=deal_id)
    with _replacing(out) as temporary:
        counts = _write(session, temporary, fmt=chosen, deal_id=deal_id, table=table, out=out)
    return ExportSummary(path=str(out), format=chosen, counts=counts)


def _write(
    session: Session,
    temporary: Path,
    *,
    fmt: ExportFormat,
    deal_id: int | None,
    table: ExportTable,
    out: Path,
) -> dict[str, int]:
    if fmt == "native":
        from dealgraph.io.native_json import dump_document, export_workspace

        document = export_workspace(session)
        temporary.write_text(dump_document(document), encoding="utf-8")
        return {k: len(v) for k, v in document.items() if isinstance(v, list)}
    if fmt in ("ocel", "dmn"):
        return _write_records(session, temporary, fmt=fmt, deal_id=deal_id)
    events, cases = _event_log(session, deal_id=deal_id)
    chosen = cases if table == "cases" else events
    if fmt == "csv":
        from dealgraph.io.export_csv import write_csv

        with temporary.open("w", encoding="utf-8", newline="") as stream:
            return {table: write_csv(chosen, stream, schema=chosen.schema)}
    if fmt == "parquet":
        from dealgraph.io.export_parquet import write_parquet

        return {table: write_parquet(chosen, temporary, schema=chosen.schema)}
    from dealgraph.io.export_xes import write_xes

    gzipped = out.name.lower().endswith(".gz")
    with gzip.open(temporary, "wb") if gzipped else temporary.open("wb") as stream:
        written = write_xes(events, stream, cases=cases)
    return {"traces": cases.num_rows, "events": written}


def _write_records(
    session: Session, temporary: Path, *, fmt: ExportFormat, deal_id: int | None
) -> dict[str, int]:
    from dealgraph.store.deals import load_deal_record, load_deal_records

    if fmt == "dmn":
        from dealgraph.io.export_dmn import write_dmn

        assert deal_id is not None
        with temporary.open("wb") as stream:
            return write_dmn(load_deal_record(session, deal_id=deal_id), stream)
    from dealgraph.io.export_ocel import write_ocel

    records = (
        [load_deal_record(session, deal_id=deal_id)]
        if deal_id is not None
        else load_deal_records(session)
    )
    with temporary.open("w", encoding="utf-8") as stream:
        return write_ocel(records, stream)


def _event_log(session: Session, *, deal_id: int | None) -> tuple[pa.Table, pa.Table]:
    import pyarrow.compute as pc

    from dealgraph.analytics.eventlog import workspace_event_log

    events, cases = workspace_event_log(session)
    if deal_id is None:
        return events, cases
    key = str(deal_id)
    return (
        events.filter(pc.equal(events["case"], key)),
        cases.filter(pc.equal(cases["case"], key)),
    )
