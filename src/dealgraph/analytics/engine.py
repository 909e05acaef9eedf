"""The analytics engine: an Ibis backend, embedded DuckDB unless told otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
from ibis import BaseBackend

from dealgraph.errors import InvalidInput

ENGINES = ("duckdb", "spark")


def connect(
    engine: str = "duckdb", *, path: str | Path | None = None, **options: Any
) -> BaseBackend:
    """Open an analytics backend: DuckDB in memory (or in the file ``path``), or PySpark.

    For ``"spark"`` the options are ``master`` (default: the ``spark_master`` setting,
    ``local[2]``) and ``config``, extra Spark settings such as
    ``{"spark.sql.shuffle.partitions": "4"}``. The Spark session clock is UTC, since event
    timestamps are naive UTC.

    Example:
        >>> con = connect()
        >>> con.name
        'duckdb'

    Raises:
        InvalidInput: the engine is unknown, or Spark is asked for without pyspark installed.
    """
    if engine == "duckdb":
        database = str(Path(path).expanduser()) if path is not None else ":memory:"
        return ibis.duckdb.connect(database=database, **options)
    if engine == "spark":
        if path is not None:
            raise InvalidInput("a file path applies to the duckdb engine only", where="path")
        return _connect_spark(**options)
    raise InvalidInput(
        f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", where="engine"
    )


def _spark_master() -> str:
    from dealgraph.settings import Settings

    return Settings().spark_master


def _connect_spark(
    *, master: str | None = None, config: Mapping[str, str] | None = None
) -> BaseBackend:
    try:
        from pyspark.sql import SparkSession
    except ImportError as missing:
        raise InvalidInput(
            "the spark engine needs pyspark (and Java 17): pip install 'dealgraph[spark]'",
            where="engine",
        ) from missing
    builder = (
        SparkSession.builder.master(master or _spark_master())
        .appName("dealgraph")
        .config("spark.sql.session.timeZone", "UTC")
        # Results come back through pandas: Arrow makes that transfer columnar.
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    return ibis.pyspark.connect(builder.getOrCreate())
