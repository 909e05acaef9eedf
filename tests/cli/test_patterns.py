"""``dealgraph patterns journey|variants`` over files and the workspace."""

from __future__ import annotations

from pathlib import Path

from dealgraph.store.db import open_database, sqlite_url
from tests.analytics.oracle import LOGS, oracle_dfg, oracle_variants
from tests.cli.conftest import Run, as_json
from tests.factories import make_workspace


def test_journey_json_on_an_xes_file_matches_the_oracle(run: Run) -> None:
    data = as_json(run("patterns", "journey", "--log", str(LOGS["running_example"]), "--json"))
    rows = [(e["source"], e["target"], e["count"]) for e in data["edges"]]
    rows += [("__START__", s["activity"], s["count"]) for s in data["starts"]]
    rows += [(e["activity"], "__END__", e["count"]) for e in data["ends"]]
    assert sorted(rows) == oracle_dfg("running_example")
    assert (data["cases"], data["events"]) == (6, 42)


def test_journey_table_for_people(run: Run) -> None:
    out = run("patterns", "journey", "--log", str(LOGS["running_example"]), "--top", "2").stdout
    lines = out.splitlines()
    assert lines[0] == "6 cases, 42 events, 2 of 16 edges shown"
    assert "│ check ticket     │ decide       │ 6     │ 1.5 d  │ 2.1 d  │ 4.4 d │" in lines
    assert any("register request" in line and "│ 6 " in line for line in lines)


def test_variants_json_and_top(run: Run) -> None:
    data = as_json(run("patterns", "variants", "--log", str(LOGS["helpdesk"]), "--json"))
    assert sorted((v["count"], v["length"], v["variant"]) for v in data) == oracle_variants(
        "helpdesk"
    )
    top = as_json(
        run("patterns", "variants", "--log", str(LOGS["helpdesk"]), "--json", "--top", "1")
    )
    assert [v["count"] for v in top] == [2366]
    table = run("patterns", "variants", "--log", str(LOGS["running_example"])).stdout
    assert table.splitlines()[0] == "6 variants, 6 shown"


def test_csv_log_with_mapping(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "touches.csv"
    path.write_text(
        "deal,step,at\nD1,intro,01/02/2024\nD1,demo,03/02/2024\nD2,intro,05/02/2024\n",
        encoding="utf-8",
    )
    args = ["--log", str(path), "--case", "deal", "--activity", "step", "--timestamp", "at",
            "--timestamp-format", "%d/%m/%Y", "--json"]  # fmt: skip
    data = as_json(run("patterns", "journey", *args))
    assert [(e["source"], e["target"], e["count"], e["median_seconds"]) for e in data["edges"]] == [
        ("intro", "demo", 1, 172800.0)
    ]
    variants = as_json(run("patterns", "variants", *args))
    assert [(v["variant"], v["count"]) for v in variants] == [("intro", 1), ("intro -> demo", 1)]


def test_workspace_is_the_default_log_with_win_rates(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    database = open_database(sqlite_url(path))
    with database.session() as session:
        make_workspace(session)
    database.dispose()
    data = as_json(run("patterns", "variants", "--db", str(path), "--json"))
    assert sum(v["count"] for v in data) == 3
    assert sum(v["closed"] for v in data) == 2
    assert sum(v["won"] for v in data) == 1
    journey = as_json(run("patterns", "journey", "--db", str(path), "--json"))
    assert sum(s["count"] for s in journey["starts"]) == 3


def test_bad_files_exit_2_with_one_line(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xes"
    broken.write_text("<log>\n<trace>\n</log>\n", encoding="utf-8")
    result = run("patterns", "journey", "--log", str(broken), code=2)
    assert result.stderr == f"error: {broken}:3:3: broken XES: mismatched tag\n"
    assert result.stdout == ""
    missing = run("patterns", "variants", "--log", str(tmp_path / "none.xes"), code=2)
    assert missing.stderr == f"error: no event log at {tmp_path / 'none.xes'}\n"
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("case,activity,timestamp\nA,x,never\n", encoding="utf-8")
    result = run("patterns", "variants", "--log", str(bad_csv), code=2)
    assert result.stderr == (
        f"error: {bad_csv}:2, column 'timestamp' (3): timestamp 'never' is not ISO 8601\n"
    )
    unknown = run("patterns", "journey", "--log", str(LOGS["running_example"]), "--engine",
                  "oracle", code=2)  # fmt: skip
    assert "unknown engine 'oracle'; choose one of duckdb, spark" in unknown.stderr
