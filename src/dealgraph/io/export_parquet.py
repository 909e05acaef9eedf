"""Parquet export of an event log or a case table, written batch by batch with pyarrow."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dealgraph.io.export_csv import record_batches


def write_parquet(
    source: pa.Table | Iterable[pa.RecordBatch], path: str | Path, *, schema: pa.Schema
) -> int:
    """Write a table (or its record batches) to a Parquet file; return the rows written.

    Only one record batch is held at a time; the file's schema is ``schema``.

    Example:
        >>> from dealgraph.analytics.eventlog import EVENT_SCHEMA as schema
        >>> write_parquet(schema.empty_table(), "log.parquet", schema=schema)  # doctest: +SKIP
        0
    """
    rows = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for batch in record_batches(source):
            writer.write_batch(batch.cast(schema) if batch.schema != schema else batch)
            rows += batch.num_rows
    return rows
