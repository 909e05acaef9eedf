"""CSV export of an event log or a case table: UTF-8, a header, formula injection neutralised.

Rows are written batch by batch, so memory stays bounded by one record batch. Timestamps are
ISO 8601 (naive UTC, as the model keeps them), which ``io.eventlog_csv`` reads back. A text
cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TextIO

import pyarrow as pa

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """The cell text a spreadsheet will show as text, never run as a formula.

    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("won")
    'won'
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record_batches(source: pa.Table | Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The record batches of a table, or the batches themselves."""
    if isinstance(source, pa.Table):
        yield from source.to_batches()
    else:
        yield from source


def write_csv(
    source: pa.Table | Iterable[pa.RecordBatch], stream: TextIO, *, schema: pa.Schema
) -> int:
    """Write a table (or its record batches) as CSV with a header; return the rows written.

    ``stream`` must be opened with ``newline=""`` and UTF-8 (``csv`` writes ``\\r\\n``).

    Example:
        >>> import io
        >>> out = io.StringIO(newline="")
        >>> table = pa.table({"case": ["1"], "resource": ["=1+1"]})
        >>> write_csv(table, out, schema=table.schema)
        1
        >>> out.getvalue().splitlines()
        ['case,resource', "1,'=1+1"]
    """
    writer = csv.writer(stream)
    writer.writerow([neutralise_formula(name) for name in schema.names])
    rows = 0
    for batch in record_batches(source):
        columns = [batch.column(name).to_pylist() for name in schema.names]
        for row in zip(*columns, strict=True):
            writer.writerow([_cell(value) for value in row])
        rows += batch.num_rows
    return rows
