"""The analytics engine: an Ibis backend, embedded DuckDB unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
from ibis import BaseBackend

from dealgraph.errors import InvalidInput

ENGINES = ("duckdb", "spark")


def connect(
    engine: str = "duckdb", *, path: str | Path | None = None, **options: Any
) -> BaseBackend:
    """Open an analytics backend: DuckDB in memory, or in the file ``path`` when given.

    Example:
        >>> con = connect()
        >>> con.name
        'duckdb'

    Raises:
        InvalidInput: the engine is unknown, or is Spark (scale-out arrives in a later release).
    """
    if engine == "duckdb":
        database = str(Path(path).expanduser()) if path is not None else ":memory:"
        return ibis.duckdb.connect(database=database, **options)
    if engine == "spark":
        raise InvalidInput(
            "the Spark engine is not available yet: scale-out arrives in a later release; "
            "use --engine duckdb",
            where="engine",
        )
    raise InvalidInput(
        f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", where="engine"
    )
