"""``dealgraph import`` of XES and CSV event logs through the CLI, exact output."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Run, as_json
from tests.io.eventlog_fixtures import BAD_CSV, RUNNING_EXAMPLE, TOUCHES_CSV, write


def test_xes_import_prints_a_summary_then_is_idempotent(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    lines = run("import", str(RUNNING_EXAMPLE), "--db", db).stdout.splitlines()
    assert lines[0] == (
        f"imported {RUNNING_EXAMPLE} (xes, source eventlog:running-example, playbook "
        f"buyer-journey) into {tmp_path / 'w.db'}: 42 events of 6 cases read, 49 created, "
        "0 updated, 0 skipped"
    )
    assert "│ interactions │ 42      │ 0       │ 0         │" in lines
    assert lines[-3:] == [
        "activities that matched no stage, kept as interactions: check ticket (9), decide (9), "
        "examine casually (6), register request (6), examine thoroughly (3), pay compensation "
        "(3), reinitiate request (3), reject request (3)",
        "note: no channel: recorded as inside (42)",
        "note: first resource is no seller of the workspace: the deal is owned by 'unassigned' (6)",
    ]
    again = as_json(run("import", str(RUNNING_EXAMPLE), "--db", db, "--json"))
    assert (again["created_total"], again["updated_total"]) == (0, 0)
    assert again["unchanged"] == {"accounts": 1, "deals": 6, "interactions": 42}


def test_csv_import_with_column_options(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    path = write(tmp_path, "touches.csv", TOUCHES_CSV)
    options = ["--case", "deal", "--activity", "step", "--timestamp", "at", "--channel", "via"]
    options += ["--resource", "who", "--outcome", "result", "--source", "crm"]
    summary = as_json(
        run(
            "import",
            str(path),
            "--db",
            db,
            "--format",
            "eventlog-csv",
            *options,
            "--timestamp-format",
            "%d/%m/%Y %H:%M",
            "--json",
        )
    )
    assert (summary["source"], summary["format"], summary["events_read"]) == (
        "crm",
        "eventlog-csv",
        5,
    )
    assert summary["created"] == {"accounts": 1, "deals": 2, "stage_changes": 2, "interactions": 3}
    deals = as_json(run("deal", "list", "--db", db, "--json"))
    assert sorted((d["title"], d["status"]) for d in deals) == [("D1", "won"), ("D2", "lost")]


def test_bad_row_stops_and_writes_nothing_or_is_skipped(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    path = write(tmp_path, "bad.csv", BAD_CSV)
    args = ["import", str(path), "--db", db, "--format", "eventlog-csv", "--case", "deal"]
    args += ["--activity", "step", "--timestamp", "at", "--outcome", "result"]
    stopped = run(*args, code=2)
    assert stopped.stderr == f"error: {path}, line 3, column at: timestamp 'soon' is not ISO 8601\n"
    assert as_json(run("deal", "list", "--db", db, "--json")) == []
    skipped = run(*args, "--on-error", "skip").stdout.splitlines()
    assert skipped[0].endswith("6 events of 2 cases read, 5 created, 0 updated, 4 skipped")
    assert skipped[-4:] == [
        "skipped line 3 (at): timestamp 'soon' is not ISO 8601",
        "skipped line 4 (deal): case is empty",
        "skipped line 5 (result): outcome 'maybe' is not won, lost or no_decision (closes the "
        "deal) nor advanced, neutral or setback (the interaction's outcome); map it in "
        "outcome_values",
        "skipped line 6 (step): activity is empty",
    ]


def test_options_that_do_not_fit_the_format_are_refused(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    xes = run("import", str(RUNNING_EXAMPLE), "--db", db, "--case", "id", code=2)
    assert xes.stderr == (
        "error: --case: XES fixes the case, activity and time (concept:name, time:timestamp); "
        "these options are for --format eventlog-csv\n"
    )
    crm = write(tmp_path, "opp.csv", "Id\n1\n")
    other = run(
        "import",
        str(crm),
        "--db",
        db,
        "--format",
        "salesforce-opportunity",
        "--source",
        "x",
        code=2,
    )
    assert other.stderr == "error: --source: only for --format xes or eventlog-csv\n"
    assert not (tmp_path / "w.db").exists()


def test_journey_over_the_imported_workspace_equals_the_file(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    run("import", str(RUNNING_EXAMPLE), "--db", db)
    from_workspace = as_json(run("patterns", "journey", "--db", db, "--json"))
    from_file = as_json(run("patterns", "journey", "--log", str(RUNNING_EXAMPLE), "--json"))
    assert from_workspace == from_file
    assert (from_workspace["cases"], from_workspace["events"]) == (6, 42)


def test_csv_encoding_option(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    path = tmp_path / "latin.csv"
    path.write_text("case,activity,timestamp\nC1,Réunion,2024-01-01T09:00\n", encoding="cp1252")
    args = ["import", str(path), "--db", db, "--format", "eventlog-csv"]
    args += ["--case", "case", "--activity", "activity", "--timestamp", "timestamp"]
    undecoded = run(*args, code=2)
    assert undecoded.stderr.startswith(f"error: {path}:")
    assert "'utf-8' codec can't decode byte 0xe9" in undecoded.stderr
    summary = as_json(run(*args, "--encoding", "cp1252", "--json"))
    assert summary["unmapped_activities"] == {"Réunion": 1}
    xes = run("import", str(RUNNING_EXAMPLE), "--db", db, "--encoding", "cp1252", code=2)
    assert xes.stderr == "error: --encoding: an XES file declares its own encoding\n"
