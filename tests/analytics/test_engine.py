"""The analytics engine: DuckDB in memory or in a file (Spark: see test_spark.py)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from dealgraph.analytics.engine import connect
from dealgraph.errors import InvalidInput


def test_duckdb_in_memory_runs_an_expression() -> None:
    con = connect()
    assert con.name == "duckdb"
    table = con.create_table("numbers", obj=pa.table({"n": [1, 2, 3]}), temp=True)
    assert con.to_pyarrow(table.n.sum().name("total")).as_py() == 6


def test_duckdb_file_persists(tmp_path: Path) -> None:
    path = tmp_path / "analytics.duckdb"
    con = connect(path=path)
    con.create_table("kept", obj=pa.table({"n": [7]}))
    con.disconnect()
    assert path.exists()
    again = connect("duckdb", path=path)
    assert again.table("kept").to_pyarrow()["n"].to_pylist() == [7]


def test_unknown_engine_is_named() -> None:
    with pytest.raises(InvalidInput, match="unknown engine 'oracle'; choose one of duckdb, spark"):
        connect("oracle")
