"""``dealgraph demo`` builds the workspace the issue asks for; deal list and gps read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run, as_json

AS_OF = "2026-11-23T12:00:00"
GPS_FIELDS = {
    "stage",
    "progress",
    "route",
    "critical_path",
    "eta",
    "next_plays",
    "missing_roles",
    "level_gaps",
    "signals",
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from dealgraph.cli import app

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(
        app, ["demo", "--no-serve", "--db", str(path), "--as-of", AS_OF], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("demo workspace built in ") and lines[0].endswith(str(path))
    assert lines[1].startswith("300 deals (")
    assert result.stdout.count("Progress [") == 3  # the GPS of three open deals
    assert "demo sign-in (random passwords, shown only now):" in lines
    assert any(line.startswith("  admin@demo.dealgraph.test  ") for line in lines)
    assert sum(line.startswith("win model trained in ") for line in lines) == 1
    return path


def test_demo_stores_the_win_model_it_reports(run: Run, demo_db: Path) -> None:
    report = as_json(run("model", "evaluate", "--db", str(demo_db), "--json"))
    assert report["id"] == 1 and report["trained_on"] == AS_OF
    assert report["deals_train"] + report["deals_test"] == 190  # every closed deal of the demo


def test_demo_deals_cover_every_status_and_seller(run: Run, demo_db: Path) -> None:
    deals = as_json(run("deal", "list", "--db", str(demo_db), "--json"))
    assert len(deals) == 300
    assert {d["status"] for d in deals} == {"open", "won", "lost", "no_decision"}
    assert len({d["owner"] for d in deals}) >= 8
    for deal in deals:
        assert {"id", "title", "owner", "stage", "status", "value", "expected_close"} <= set(deal)


def test_demo_gps_has_every_named_field(run: Run, demo_db: Path) -> None:
    open_deals = as_json(run("deal", "list", "--status", "open", "--db", str(demo_db), "--json"))
    assert open_deals
    deal_id = str(open_deals[0]["id"])
    report = as_json(run("deal", "gps", deal_id, "--db", str(demo_db), "--json", "--as-of", AS_OF))
    assert GPS_FIELDS <= set(report)
    assert 0.0 <= report["progress"] <= 1.0
    assert {"p50", "p90"} <= set(report["eta"])
    same = as_json(run("deal", "gps", deal_id, "--db", str(demo_db), "--json", "--as-of", AS_OF))
    assert same == report  # deterministic for a seed


def test_demo_refuses_to_overwrite_without_replace(run: Run, demo_db: Path) -> None:
    result = run("demo", "--db", str(demo_db), code=2)
    assert result.stderr == f"error: {demo_db} exists: pass --replace to rebuild the demo there\n"


def test_signals_command_prints_evidence(run: Run, demo_db: Path) -> None:
    open_deals = as_json(run("deal", "list", "--status", "open", "--db", str(demo_db), "--json"))
    fired = []
    for deal in open_deals[:20]:
        fired += as_json(
            run(
                "deal", "signals", str(deal["id"]), "--db", str(demo_db), "--json", "--as-of", AS_OF
            )
        )
    assert fired
    for signal in fired:
        assert signal["severity"] in {"info", "warning", "critical"}
        assert signal["message"] and signal["advice"]
        assert set(signal["evidence"]) >= {"interactions", "stakeholders", "numbers"}
