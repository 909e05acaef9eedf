"""One code path, two engines: the analytics on local PySpark equal DuckDB's (and pm4py's)."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest
from ibis import BaseBackend

from dealgraph.analytics.channels import channel_effectiveness
from dealgraph.analytics.conformance import conformance
from dealgraph.analytics.engine import connect
from dealgraph.analytics.eventlog import event_log
from dealgraph.analytics.funnel import funnel
from dealgraph.analytics.journey import journey_map
from dealgraph.analytics.lift import signal_lift
from dealgraph.analytics.stalls import stalls
from dealgraph.analytics.variants import variants
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from tests.analytics.oracle import LOGS, oracle_dfg, oracle_variants
from tests.analytics.test_conformance import BOOK
from tests.analytics.test_conformance import log as conformance_log
from tests.analytics.test_conformance import statuses as conformance_statuses

NO_PYSPARK = importlib.util.find_spec("pyspark") is None
NO_JAVA = shutil.which("java") is None

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(NO_PYSPARK, reason="pyspark is not installed (pip install '.[spark]')"),
    pytest.mark.skipif(NO_JAVA, reason="no `java` on PATH: PySpark needs Java 17"),
    # Third-party noise, not ours: py4j leaves its gateway sockets to the garbage collector,
    # and pyspark 4.0's toPandas still uses options and keywords pandas 3 deprecates.
    pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
    pytest.mark.filterwarnings("ignore:.*will be removed in pandas 4.0"),
]

LOCAL_CONFIG = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
}
STAGES = ["s1", "s2", "s3"]


@pytest.fixture(scope="session")
def spark() -> Iterator[BaseBackend]:
    """One local Spark session for every Spark test (starting the JVM takes seconds)."""
    con = connect("spark", master="local[2]", config=LOCAL_CONFIG)
    yield con
    con.disconnect()


def test_connect_spark_gives_a_pyspark_backend(spark: BaseBackend) -> None:
    assert spark.name == "pyspark"
    table = event_log(spark, hand_made_log())
    assert spark.to_pyarrow(table.count()).as_py() == 13


def test_a_file_path_is_refused_for_spark() -> None:
    with pytest.raises(InvalidInput, match="a file path applies to the duckdb engine only") as err:
        connect("spark", path="analytics.duckdb")
    assert err.value.where == "path"


@pytest.fixture(scope="session")
def spark_logs(spark: BaseBackend) -> dict[str, ir.Table]:
    """Each shipped log read once into Spark, shared by the journey and variant tests."""
    return {name: event_log(spark, path) for name, path in LOGS.items()}


@pytest.fixture(scope="session")
def duckdb_logs() -> dict[str, ir.Table]:
    """Each shipped log read once into an in-memory DuckDB."""
    con = connect()
    return {name: event_log(con, path) for name, path in LOGS.items()}


@pytest.mark.parametrize("name", sorted(LOGS))
def test_journey_map_on_spark_equals_duckdb_and_pm4py(
    spark_logs: dict[str, ir.Table], duckdb_logs: dict[str, ir.Table], name: str
) -> None:
    on_spark = journey_map(spark_logs[name])
    on_duckdb = journey_map(duckdb_logs[name])
    assert sorted(on_spark.dfg_rows()) == oracle_dfg(name)
    assert (on_spark.cases, on_spark.events) == (on_duckdb.cases, on_duckdb.events)
    assert on_spark.starts == on_duckdb.starts
    assert on_spark.ends == on_duckdb.ends
    assert [(e.source, e.target, e.count) for e in on_spark.edges] == [
        (e.source, e.target, e.count) for e in on_duckdb.edges
    ]
    for ours, theirs in zip(on_spark.edges, on_duckdb.edges, strict=True):
        assert ours.median_seconds == pytest.approx(theirs.median_seconds)
        assert ours.mean_seconds == pytest.approx(theirs.mean_seconds)
        assert ours.p90_seconds == pytest.approx(theirs.p90_seconds)


@pytest.mark.parametrize("name", sorted(LOGS))
def test_variants_on_spark_equal_duckdb_and_pm4py(
    spark_logs: dict[str, ir.Table], duckdb_logs: dict[str, ir.Table], name: str
) -> None:
    on_spark = variants(spark_logs[name])
    on_duckdb = variants(duckdb_logs[name])
    assert sorted((v.count, v.length, v.variant) for v in on_spark) == oracle_variants(name)
    assert [v.model_dump() for v in on_spark] == [v.model_dump() for v in on_duckdb]


def test_variant_win_rates_on_spark_equal_duckdb(spark: BaseBackend) -> None:
    cases = pa.table({"case": ["x", "y"], "status": ["won", "lost"]})
    on_spark = variants(event_log(spark, hand_made_log()), ibis.memtable(cases))
    on_duckdb = variants(event_log(connect(), hand_made_log()), cases)
    assert [v.model_dump() for v in on_spark] == [v.model_dump() for v in on_duckdb]
    assert sorted((v.won, v.closed) for v in on_spark) == [(0, 1), (1, 1)]


def hand_made_log() -> pa.Table:
    """Two deals moving through s1..s3 with touches between, including a timestamp tie."""
    rows = [
        # case, activity, channel, day
        ("x", "call", "phone", 1),
        ("x", "s1", None, 1),
        ("x", "call", "phone", 2),
        ("x", "s2", None, 5),
        ("x", "mail", "email", 6),
        ("x", "s3", None, 50),
        ("y", "s1", None, 1),
        ("y", "call", "phone", 2),
        ("y", "s2", None, 3),
        ("y", "s1", None, 4),
        ("y", "mail", "email", 5),
        ("y", "s2", None, 5),  # same instant as the mail: position orders them
        ("y", "s3", None, 9),
    ]
    return pa.table(
        {
            "case": [r[0] for r in rows],
            "activity": [r[1] for r in rows],
            "channel": pa.array([r[2] for r in rows], pa.string()),
            "timestamp": pa.array(
                [datetime(2024, 1, 1) + timedelta(days=r[3] - 1) for r in rows],
                pa.timestamp("us"),
            ),
            "position": list(range(len(rows))),
        }
    )


def same_rows(left: pa.Table, right: pa.Table) -> None:
    """Equal row for row, floats to within rounding, column types aside (engines differ)."""
    assert left.column_names == right.column_names
    ours, theirs = left.to_pylist(), right.to_pylist()
    assert len(ours) == len(theirs) > 0
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.keys() == other.keys()
        for key, value in mine.items():
            expected: Any = other[key]
            if isinstance(value, float) and isinstance(expected, float):
                assert value == pytest.approx(expected), key
            else:
                assert value == expected, key


def test_funnel_on_spark_equals_duckdb(spark: BaseBackend) -> None:
    on_spark = funnel(event_log(spark, hand_made_log()), stages=STAGES)
    on_duckdb = funnel(event_log(connect(), hand_made_log()), stages=STAGES)
    same_rows(on_spark, on_duckdb)
    assert on_spark.column("reached").to_pylist() == [2, 2, 2]


def test_funnel_cohorts_on_spark_equal_duckdb(spark: BaseBackend) -> None:
    cases = pa.table({"case": ["x", "y"], "seller": ["ann", "bob"]})
    on_spark = funnel(
        event_log(spark, hand_made_log()),
        stages=STAGES,
        cases=ibis.memtable(cases),
        cohort="seller",
    )
    on_duckdb = funnel(
        event_log(connect(), hand_made_log()), stages=STAGES, cases=ibis.memtable(cases),
        cohort="seller",
    )  # fmt: skip
    same_rows(on_spark, on_duckdb)
    assert set(on_spark.column("cohort").to_pylist()) == {"ann", "bob"}


@pytest.mark.parametrize("within_days", [30.0, 60.0])
def test_channel_effectiveness_on_spark_equals_duckdb(
    spark: BaseBackend, within_days: float
) -> None:
    on_spark = channel_effectiveness(
        event_log(spark, hand_made_log()), stages=STAGES, within_days=within_days
    )
    on_duckdb = channel_effectiveness(
        event_log(connect(), hand_made_log()), stages=STAGES, within_days=within_days
    )
    same_rows(on_spark, on_duckdb)
    assert sum(on_spark.column("interactions").to_pylist()) == 4


def test_stalls_on_spark_equal_duckdb(spark: BaseBackend) -> None:
    cases = ibis.memtable(pa.table({"case": ["x", "y"], "status": ["open", "open"]}))
    as_of = datetime(2024, 3, 1)
    on_spark = stalls(
        event_log(spark, hand_made_log()), stages=["s1", "s2"], as_of=as_of, cases=cases
    )
    on_duckdb = stalls(
        event_log(connect(), hand_made_log()), stages=["s1", "s2"], as_of=as_of, cases=cases
    )
    same_rows(on_spark, on_duckdb)
    assert on_spark.column("median_days").to_pylist() == [1.0, 1.0]


def test_signal_lift_on_spark_equals_duckdb(spark: BaseBackend) -> None:
    fired = pa.table({"case": ["x", "y", "y"], "signal": ["late", "late", "silent"]})
    cases = ibis.memtable(pa.table({"case": ["x", "y"], "status": ["won", "lost"]}))
    on_spark = signal_lift(spark.create_view("fired_signals", ibis.memtable(fired)), cases)
    on_duckdb = signal_lift(ibis.memtable(fired), cases)
    same_rows(on_spark, on_duckdb)
    assert on_spark.column("lift").to_pylist() == [2.0, 1.0]


STAGE_BOOK = Playbook.model_validate(
    {
        "key": "three",
        "title": "Three stages",
        "stages": [
            {
                "key": key,
                "title": key.upper(),
                "goal": "get through",
                "duration": {"p50": 5, "p90": 10},
                "level": 2,
                "next": after,
                **({"end": "won"} if key == "s3" else {}),
            }
            for key, after in (("s1", ["s2"]), ("s2", ["s3"]), ("s3", []))
        ],
    }
)


def test_conformance_on_spark_equals_duckdb(spark: BaseBackend) -> None:
    on_spark = conformance(event_log(spark, conformance_log().to_pyarrow()), BOOK)
    on_duckdb = conformance(event_log(connect(), conformance_log().to_pyarrow()), BOOK)
    assert on_spark.model_dump() == on_duckdb.model_dump()
    by_case = {c.case: c for c in on_spark.cases}
    # hand-computed in test_conformance: x skips and goes back unplanned, w skips one stage
    assert (by_case["x"].skipped_stages, by_case["x"].fitness) == (2, 0.0)
    assert (by_case["w"].moves, by_case["w"].fitness) == (2, 0.5)
    assert (by_case["y"].backward_moves, by_case["y"].unplanned_backward) == (1, 0)


def test_conformance_win_rates_on_spark_equal_duckdb(spark: BaseBackend) -> None:
    statuses = conformance_statuses().to_pyarrow()
    on_spark = conformance(
        event_log(spark, conformance_log().to_pyarrow()), BOOK, cases=ibis.memtable(statuses)
    )
    on_duckdb = conformance(
        event_log(connect(), conformance_log().to_pyarrow()), BOOK, cases=ibis.memtable(statuses)
    )
    assert on_spark.model_dump() == on_duckdb.model_dump()
    assert on_spark.conforming is not None and on_spark.deviating is not None
    assert (on_spark.conforming.successes, on_spark.conforming.trials) == (1, 2)
    assert (on_spark.deviating.successes, on_spark.deviating.trials) == (2, 2)


def test_conformance_with_a_timestamp_tie_on_spark_equals_duckdb(spark: BaseBackend) -> None:
    on_spark = conformance(event_log(spark, hand_made_log()), STAGE_BOOK)
    on_duckdb = conformance(event_log(connect(), hand_made_log()), STAGE_BOOK)
    assert on_spark.model_dump() == on_duckdb.model_dump()
    x, y = on_spark.cases
    assert (x.case, x.moves, x.fitness) == ("x", 2, 1.0)
    # y: s1 s2 s1 s2 s3 (the tie at day 5 keeps the mail before s2): 4 moves, s2 -> s1 goes
    # back unplanned, so fitness 1 - 1/4; the second s1 comes after s2 was reached.
    assert (y.moves, y.backward_moves, y.unplanned_backward, y.out_of_order) == (4, 1, 1, 1)
    assert y.fitness == 0.75
