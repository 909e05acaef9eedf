"""Pattern benchmarks on a large log: XES import, journey map + variants, against pm4py and SQL.

The helpdesk log is replicated with renamed cases to at least ``TARGET_EVENTS`` events and
written as one plain XES file in a temporary folder. Then, each side in a fresh process so
that peak memory is its own:

- XES import: ``dealgraph.io.xes.xes_to_parquet`` against ``pm4py.read_xes`` on that file.
  Ours reads a large plain file in two processes; its peak memory is given for both, and
  the same import kept to one process (``parallel=False``) is measured too;
- journey map + variants over the Parquet file our import wrote: ``journey_map`` and
  ``variants`` on DuckDB against ``pm4py.discover_dfg`` + ``pm4py.get_variants`` on pm4py's
  own dataframe of the same rows (its imports and dataframe preparation are not timed);
- the journey map against a hand-written DuckDB SQL directly-follows query (a ``LEAD``
  window) computing the same edges, times, starts and ends over the same Parquet file;
- the same journey map + variants expressions on local PySpark (``local[2]``), time only:
  there is no peer, the row shows that the scale-out path completes on the same data.

pm4py lives in its own virtualenv, ``bench/.venv-pm4py``, built on first run with
``python -m venv`` and ``pip install pm4py pyarrow`` (pyarrow reads the Parquet file); it is
never a dependency of dealgraph. When it cannot be built, the pm4py rows are reported as
skipped with the reason.
"""

from __future__ import annotations

import gzip
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.timing import best_of

BENCH = Path(__file__).resolve().parent
HELPDESK = BENCH.parent.parent / "shared" / "data" / "eventlogs" / "helpdesk.xes.gz"
PM4PY_VENV = BENCH / ".venv-pm4py"
PM4PY_SCRIPT = BENCH / "peer_pm4py.py"
TARGET_EVENTS = 2_000_000
REPEAT = 3
SPARK_REPEAT = 2
SPARK_CONFIG = {
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.memory": "4g",
}

_TRACE = re.compile(r"<trace>.*?</trace>", re.DOTALL)
_TRACE_NAME = re.compile(r'(<string key="concept:name" value=")([^"]*)(")')

SQL_DFG = """
WITH ordered AS (
    SELECT "case", activity, timestamp,
           LEAD(activity) OVER w AS next_activity,
           LEAD(timestamp) OVER w AS next_timestamp,
           LAG(position) OVER w AS previous_position,
           LEAD(position) OVER w AS next_position
    FROM read_parquet('{path}')
    WINDOW w AS (PARTITION BY "case" ORDER BY timestamp, position)
)
SELECT 'edge' AS kind, activity AS source, next_activity AS target, count(*) AS count,
       median(seconds) AS median_seconds, avg(seconds) AS mean_seconds,
       quantile_cont(seconds, 0.9) AS p90_seconds
FROM (SELECT activity, next_activity,
             epoch_us(next_timestamp) / 1e6 - epoch_us(timestamp) / 1e6 AS seconds
      FROM ordered WHERE next_position IS NOT NULL)
GROUP BY activity, next_activity
UNION ALL
SELECT 'start', activity, NULL, count(*), NULL, NULL, NULL
FROM ordered WHERE previous_position IS NULL GROUP BY activity
UNION ALL
SELECT 'end', activity, NULL, count(*), NULL, NULL, NULL
FROM ordered WHERE next_position IS NULL GROUP BY activity
"""


def build_xes(out: Path, *, target_events: int | None = None) -> int:
    """Write the helpdesk log replicated (cases renamed ``<name>#<copy>``); return the events."""
    text = gzip.decompress(HELPDESK.read_bytes()).decode("utf-8")
    traces = list(_TRACE.finditer(text))
    head, tail = text[: traces[0].start()], text[traces[-1].end() :]
    parts: list[tuple[str, str]] = []
    for trace in traces:
        body = trace.group(0)
        name = _TRACE_NAME.search(body)
        if name is None:
            raise ValueError("a helpdesk trace has no concept:name")
        parts.append((body[: name.end(2)], body[name.end(2) :]))
    per_copy = text.count("<event>")
    copies = -(-(target_events or TARGET_EVENTS) // per_copy)
    with out.open("w", encoding="utf-8") as stream:
        stream.write(head)
        for copy in range(copies):
            suffix = f"#{copy}"
            stream.write("\n\t".join(f"{before}{suffix}{after}" for before, after in parts))
            stream.write("\n\t")
        stream.write(tail)
    return copies * per_copy


def _ours_import(xes: str, parquet: str, processes: str) -> dict[str, Any]:
    from dealgraph.io.xes import xes_to_parquet

    started = time.perf_counter()
    rows = xes_to_parquet(xes, parquet, parallel=processes == "two")
    return {"seconds": time.perf_counter() - started, "events": rows}


def _ours_patterns(parquet: str, repeat: int) -> dict[str, Any]:
    from dealgraph.analytics.engine import connect
    from dealgraph.analytics.eventlog import event_log
    from dealgraph.analytics.journey import journey_map
    from dealgraph.analytics.variants import variants

    con = connect()
    found: dict[str, int] = {}

    def journey_and_variants() -> None:
        events = event_log(con, con.read_parquet(parquet))
        found["edges"] = len(journey_map(events).edges)
        found["variants"] = len(variants(events))

    def journey_only() -> None:
        journey_map(event_log(con, con.read_parquet(parquet)))

    def sql_peer() -> None:
        con.raw_sql(SQL_DFG.format(path=parquet)).fetchall()

    both = best_of(journey_and_variants, repeat=repeat)
    journey = best_of(journey_only, repeat=repeat)
    sql = best_of(sql_peer, repeat=repeat)
    sql_rows = len(con.raw_sql(SQL_DFG.format(path=parquet)).fetchall())
    return {
        "seconds": both,
        "journey_seconds": journey,
        "sql_seconds": sql,
        "sql_rows": sql_rows,
        **found,
    }


def _spark_patterns(parquet: str, repeat: int) -> dict[str, Any]:
    """Journey map + variants on local PySpark; the session start is not timed."""
    try:
        from dealgraph.analytics.engine import connect

        con = connect("spark", master="local[2]", config=SPARK_CONFIG)
    except Exception as exc:  # no pyspark or no Java: the row says so
        return {"seconds": None, "reason": f"{type(exc).__name__}: {exc}"}
    from dealgraph.analytics.eventlog import event_log
    from dealgraph.analytics.journey import journey_map
    from dealgraph.analytics.variants import variants

    found: dict[str, int] = {}

    def journey_and_variants() -> None:
        events = event_log(con, con.read_parquet(parquet))
        found["edges"] = len(journey_map(events).edges)
        found["variants"] = len(variants(events))

    try:
        return {"seconds": best_of(journey_and_variants, repeat=repeat), **found}
    finally:
        con.disconnect()


def _child(argv: list[str]) -> int:
    if argv[0] == "import":
        result = _ours_import(argv[1], argv[2], argv[3])
    elif argv[0] == "spark":
        result = _spark_patterns(argv[1], int(argv[2]))
    else:
        result = _ours_patterns(argv[1], int(argv[2]))
    result["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # the largest child process (the second XES reader; Spark's JVM is not waited for)
    result["child_max_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps(result))
    return 0


def _measure(command: list[str]) -> dict[str, Any]:
    """Run one side in a fresh process and read back the JSON it prints."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[1]} failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _pm4py_python() -> tuple[Path | None, str]:
    """pm4py's interpreter, building its virtualenv on first use; or None and the reason."""
    python = PM4PY_VENV / "bin" / "python"
    try:
        if not python.exists():
            print(f"building {PM4PY_VENV} (venv; pip install pm4py pyarrow)", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(PM4PY_VENV)], check=True)
        check = subprocess.run([str(python), "-c", "import pm4py, pyarrow"], capture_output=True)
        if check.returncode != 0:
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", "pm4py", "pyarrow"],
                check=True,
                capture_output=True,
                text=True,
            )
    except (OSError, subprocess.CalledProcessError) as exc:
        reason = getattr(exc, "stderr", None) or str(exc)
        return None, f"pm4py virtualenv could not be built: {str(reason).strip()[-300:]}"
    return python, ""


def _row(name: str, peer: str, ours: float, theirs: float | None, detail: str) -> dict[str, Any]:
    return {
        "name": name,
        "peer": peer,
        "seconds": ours,
        "peer_seconds": theirs,
        "ratio": None if theirs is None else ours / theirs,
        "detail": detail,
    }


def _pace(ours: float, theirs: float) -> str:
    if ours <= theirs:
        return f"{theirs / ours:.1f}x faster"
    return f"{ours / theirs:.1f}x slower"


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def run() -> list[dict[str, Any]]:
    """Measure XES import and journey map + variants on a large log; one row per comparison."""
    us = [sys.executable, "-m", "bench.bench_patterns"]
    python, reason = _pm4py_python()
    with tempfile.TemporaryDirectory(prefix="dealgraph-bench-") as tmp:
        xes, parquet = Path(tmp) / "large.xes", Path(tmp) / "large.parquet"
        events = build_xes(xes)
        size = f"{events:,} events, {xes.stat().st_size / 2**30:.1f} GiB XES"
        ours_import = _measure([*us, "import", str(xes), str(parquet), "two"])
        ours_alone = _measure([*us, "import", str(xes), str(parquet), "one"])
        ours = _measure([*us, "patterns", str(parquet), str(REPEAT)])
        spark = _measure([*us, "spark", str(parquet), str(SPARK_REPEAT)])
        theirs_import = theirs = None
        if python is not None:
            try:
                theirs_import = _measure([str(python), str(PM4PY_SCRIPT), "read_xes", str(xes)])
                theirs = _measure(
                    [str(python), str(PM4PY_SCRIPT), "patterns", str(parquet), str(REPEAT)]
                )
            except RuntimeError as exc:
                reason = f"pm4py run failed: {exc}"
    rows: list[dict[str, Any]] = []
    ours_mem = (
        f"{_mib(ours_import['max_rss_kib'])} + {_mib(ours_import['child_max_rss_kib'])} "
        "(second process)"
    )
    alone = f"one process: {ours_alone['seconds']:.1f} s, peak {_mib(ours_alone['max_rss_kib'])}"
    if theirs_import is not None and theirs is not None:
        rows.append(
            _row(
                f"XES import to Parquet ({size})",
                f"pm4py {theirs_import['pm4py']} read_xes",
                ours_import["seconds"],
                theirs_import["seconds"],
                f"{ours_import['seconds']:.1f} s vs {theirs_import['seconds']:.1f} s "
                f"({_pace(ours_import['seconds'], theirs_import['seconds'])}); "
                f"peak memory {ours_mem} vs "
                f"{_mib(theirs_import['max_rss_kib'])}; events {ours_import['events']:,} vs "
                f"{theirs_import['events']:,}; {alone} "
                f"({_pace(ours_alone['seconds'], theirs_import['seconds'])})",
            )
        )
        rows.append(
            _row(
                f"journey map + variants on DuckDB ({events:,} events from Parquet)",
                f"pm4py {theirs['pm4py']} discover_dfg + get_variants on its dataframe",
                ours["seconds"],
                theirs["seconds"],
                f"{ours['seconds']:.2f} s vs {theirs['seconds']:.2f} s "
                f"({_pace(ours['seconds'], theirs['seconds'])}); "
                f"edges/variants: ours {ours['edges']}/{ours['variants']}, "
                f"pm4py {theirs['edges']}/{theirs['variants']}",
            )
        )
    else:
        rows.append(
            _row(
                f"XES import to Parquet ({size})",
                "pm4py read_xes",
                ours_import["seconds"],
                None,
                f"{ours_import['seconds']:.1f} s, peak {ours_mem}; {alone}; "
                f"pm4py skipped: {reason}",
            )
        )
        rows.append(
            _row(
                f"journey map + variants on DuckDB ({events:,} events from Parquet)",
                "pm4py discover_dfg + get_variants",
                ours["seconds"],
                None,
                f"{ours['seconds']:.2f} s; pm4py skipped: {reason}",
            )
        )
    rows.append(
        _row(
            f"journey map on DuckDB via Ibis ({events:,} events from Parquet)",
            "hand-written DuckDB SQL directly-follows query (LEAD window)",
            ours["journey_seconds"],
            ours["sql_seconds"],
            f"{ours['journey_seconds']:.2f} s vs {ours['sql_seconds']:.2f} s "
            f"({ours['sql_rows']} SQL rows)",
        )
    )
    spark_name = f"journey map + variants on local PySpark ({events:,} events from Parquet)"
    if spark["seconds"] is None:
        detail = f"skipped: {spark['reason']}"
    else:
        detail = (
            f"{spark['seconds']:.1f} s (best of {SPARK_REPEAT}, local[2], session start not "
            f"timed; no peer); edges/variants {spark['edges']}/{spark['variants']}, "
            f"DuckDB {ours['edges']}/{ours['variants']}"
        )
    rows.append(_row(spark_name, "none (time only)", spark["seconds"] or 0.0, None, detail))
    return rows


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1:]))
