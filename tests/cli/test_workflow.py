"""A seller's day on the command line, on SQLite and PostgreSQL: every step's exact output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run, as_json


def _open_deal(run: Run, db: str) -> int:
    result = run(
        "deal", "add", "Northwind analytics platform", "--owner", "Sam Ortiz",
        "--account", "Northwind", "--value", "85000", "--close", "2027-04-30", "--db", db,
        "--json",
    )  # fmt: skip
    deal = as_json(result)
    assert deal["stage"] == "question_status_quo"
    assert deal["value"] == 85000.0
    return int(deal["id"])


def test_init_then_a_deal_moves_when_evidence_is_logged(run: Run, database_url: str) -> None:
    db = database_url
    assert run("init", "--db", db).stdout.startswith("workspace ready: ")
    deal_id = _open_deal(run, db)

    added = run(
        "stakeholder", "add", str(deal_id), "Priya Nair", "--title", "CFO",
        "--role", "economic_buyer", "--level", "5", "--db", db,
    )  # fmt: skip
    assert added.stdout == f"stakeholder 1 added to deal {deal_id}: Priya Nair\n"
    run(
        "stakeholder", "add", str(deal_id), "Leo Park", "--role", "champion", "--level", "3",
        "--stance", "2", "--reports-to", "1", "--db", db,
    )  # fmt: skip
    team = as_json(run("stakeholder", "list", str(deal_id), "--db", db, "--json"))
    assert [(s["name"], s["reports_to"], s["engaged"]) for s in team] == [
        ("Priya Nair", None, False),
        ("Leo Park", 1, False),
    ]

    logged = run(
        "interaction", "log", str(deal_id), "--channel", "virtual", "--with", "2",
        "--play", "status_quo_conversation", "--evidence", "status_quo_questioned",
        "--evidence", "trigger_named", "--outcome", "advanced", "--at", "2026-11-20T10:00:00",
        "--db", db,
    )  # fmt: skip
    assert logged.stdout == (
        f"interaction 1 logged on deal {deal_id}\n"
        "stage moved: question_status_quo -> assemble_team\n"
    )
    team = as_json(run("stakeholder", "list", str(deal_id), "--db", db, "--json"))
    assert [s["engaged"] for s in team] == [False, True]

    report = as_json(
        run("deal", "gps", str(deal_id), "--db", db, "--json", "--as-of", "2026-11-23T09:00:00")
    )
    assert report["stage"] == "assemble_team"
    assert report["days_in_stage"] == 2
    assert report["progress"] == pytest.approx(1 / 9, abs=1e-4)
    assert [c["key"] for c in report["missing_criteria"]] == ["team_named", "sponsor_committed"]
    assert report["route"][0]["key"] == "assemble_team"
    assert report["route"][-1]["key"] == "adopt"
    for field in ("critical_path", "eta", "next_plays", "missing_roles", "level_gaps", "signals"):
        assert field in report
    assert report["eta"]["p50"] <= report["eta"]["p90"]
    assert {p["key"] for p in report["next_plays"]} == {
        "team_mapping_session",
        "sponsor_alignment",
    }

    timeline = as_json(run("interaction", "list", str(deal_id), "--db", db, "--json"))
    assert [i["evidence"] for i in timeline] == [["status_quo_questioned", "trigger_named"]]


def test_decisions_refuse_a_cycle_and_change_nothing(run: Run, database_url: str) -> None:
    db = database_url
    run("init", "--db", db)
    deal_id = _open_deal(run, db)
    before = as_json(run("decision", "list", str(deal_id), "--db", db, "--json"))
    first, second = before[0], before[1]
    assert second["requires"] == [first["id"]]

    refused = run("decision", "set", str(first["id"]), "--requires", str(second["id"]),
                  "--db", db, code=2)  # fmt: skip
    assert refused.stderr == (
        f"error: dependency would make a cycle: {first['title']} -> {second['title']} -> "
        f"{first['title']}\n"
    )
    assert as_json(run("decision", "list", str(deal_id), "--db", db, "--json")) == before

    added = as_json(
        run(
            "decision",
            "add",
            str(deal_id),
            "Security review",
            "--requires",
            str(first["id"]),
            "--level",
            "3",
            "--days",
            "12",
            "--db",
            db,
            "--json",
        )  # fmt: skip
    )
    assert added["requires"] == [first["id"]]
    done = as_json(
        run("decision", "set", str(first["id"]), "--status", "decided", "--db", db, "--json")
    )
    assert done["status"] == "decided" and done["decided_at"] is not None


def test_deal_set_keeps_close_date_history_and_refuses_stale_versions(
    run: Run, tmp_path: Path
) -> None:
    db = str(tmp_path / "ws.db")
    run("init", "--db", db)
    deal_id = _open_deal(run, db)
    moved = as_json(run("deal", "set", str(deal_id), "--close", "2027-06-30", "--db", db, "--json"))
    assert moved["expected_close"] == "2027-06-30" and moved["version"] == 2
    stale = run("deal", "set", str(deal_id), "--value", "1", "--version", "1", "--db", db, code=2)
    assert stale.stderr.startswith("error: ") and "version" in stale.stderr
    assert stale.stderr.count("\n") == 1
    record = as_json(run("deal", "show", str(deal_id), "--db", db, "--json"))
    assert record["deal"]["value"] == 85000.0
    assert [(c["from_date"], c["to_date"]) for c in record["close_date_changes"]] == [
        ("2027-04-30", "2027-06-30")
    ]
    lost = as_json(
        run(
            "deal",
            "set",
            str(deal_id),
            "--status",
            "lost",
            "--loss-reason",
            "chose competitor",
            "--db",
            db,
            "--json",
        )  # fmt: skip
    )
    assert lost["status"] == "lost" and lost["closed_at"] is not None
    assert as_json(run("deal", "list", "--status", "open", "--db", db, "--json")) == []


def test_mutual_plan_add_done_list(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "ws.db")
    run("init", "--db", db)
    deal_id = _open_deal(run, db)
    run("plan", "add", str(deal_id), "Share the cost model", "--side", "seller",
        "--owner", "Sam Ortiz", "--due", "2026-12-05", "--db", db)  # fmt: skip
    run("plan", "add", str(deal_id), "Finance reviews the model", "--side", "buyer",
        "--depends-on", "1", "--db", db)  # fmt: skip
    assert run("plan", "done", "1", "--db", db).stdout == "plan item 1 done: Share the cost model\n"
    items = as_json(run("plan", "list", str(deal_id), "--db", db, "--json"))
    assert [(i["title"], i["done"], i["depends_on"]) for i in items] == [
        ("Share the cost model", True, []),
        ("Finance reviews the model", False, [1]),
    ]
    refused = run("plan", "add", str(deal_id), "Loop", "--depends-on", "99", "--db", db, code=2)
    assert refused.stderr.startswith("error: ")
    assert len(as_json(run("plan", "list", str(deal_id), "--db", db, "--json"))) == 2


def test_export_then_import_into_an_empty_workspace_is_identical(
    run: Run, tmp_path: Path, database_url: str
) -> None:
    source = str(tmp_path / "source.db")
    run("init", "--db", source)
    deal_id = _open_deal(run, source)
    run("stakeholder", "add", str(deal_id), "Priya Nair", "--role", "economic_buyer",
        "--db", source)  # fmt: skip
    first = tmp_path / "first.json"
    run("export", "--out", str(first), "--db", source)
    imported = run("import", str(first), "--db", database_url)
    assert imported.stdout.startswith(f"imported {first} into ")
    second = tmp_path / "second.json"
    run("export", "--out", str(second), "--db", database_url)
    assert second.read_bytes() == first.read_bytes()
    again = run("import", str(first), "--db", database_url, code=2)
    assert again.stderr == "error: workspace is not empty: import needs an empty database\n"


def test_problem_map_links_a_stated_problem_to_decisions_and_offerings(
    run: Run, database_url: str
) -> None:
    db = database_url
    run("init", "--db", db)
    deal_id = _open_deal(run, db)
    run("stakeholder", "add", str(deal_id), "Priya Nair", "--role", "economic_buyer", "--db", db)
    run("offering", "add", "data-hub", "Data Integration Hub", "--db", db)
    decisions = as_json(run("decision", "list", str(deal_id), "--db", db, "--json"))
    added = run(
        "problem", "add", str(deal_id), "pressure", "Month-end close takes nine days",
        "--confirmed-by", "1", "--decision", str(decisions[0]["id"]), "--offering", "1",
        "--db", db,
    )  # fmt: skip
    assert added.stdout == f"pressure 1 added to deal {deal_id} (confirmed)\n"
    items = as_json(run("problem", "list", str(deal_id), "--db", db, "--json"))
    assert [(i["kind"], i["confirmed_by"], i["decisions"], i["offerings"]) for i in items] == [
        ("pressure", 1, [decisions[0]["id"]], [1])
    ]
    assert items[0]["confirmed_at"] is not None
    refused = run("problem", "add", str(deal_id), "goal", "Grow", "--offering", "7",
                  "--db", db, code=2)  # fmt: skip
    assert "7" in refused.stderr
    assert len(as_json(run("problem", "list", str(deal_id), "--db", db, "--json"))) == 1
