"""``dealgraph model train|evaluate|explain`` on the demo workspace and on a CSV table."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dealgraph.cli import app
from dealgraph.demo import build_demo
from dealgraph.store.db import open_database, sqlite_url
from tests.cli.conftest import Run, as_json

AS_OF = "2025-06-01"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    """The demo workspace and the report of ``model train`` on it (trained once)."""
    from datetime import datetime

    path = tmp_path_factory.mktemp("model-cli") / "demo.db"
    database = open_database(sqlite_url(path))
    try:
        build_demo(database, seed=7, as_of=datetime(2025, 6, 1))
    finally:
        database.dispose()
    result = CliRunner().invoke(
        app,
        ["model", "train", "--db", str(path), "--as-of", AS_OF, "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return str(path), json.loads(result.stdout)


def _deals(run: Run, db: str, status: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = as_json(
        run("deal", "list", "--db", db, "--status", status, "--json")
    )
    return rows


def test_train_reports_both_models_and_the_baseline(demo_db: tuple[str, dict[str, Any]]) -> None:
    _, report = demo_db
    assert report["id"] == 1 and report["trained_on"] == f"{AS_OF}T00:00:00"
    assert set(report["metrics"]) == {"logistic", "boosting", "baseline"}
    kept, baseline = report["metrics"][report["kind"]], report["metrics"]["baseline"]
    assert report["beats_baseline"] is True
    assert kept["auc"] > baseline["auc"] and kept["brier"] < baseline["brier"]


def test_evaluate_prints_the_metrics_and_the_calibration_table(
    run: Run, demo_db: tuple[str, dict[str, Any]]
) -> None:
    db, report = demo_db
    out = run("model", "evaluate", "--db", db).stdout
    lines = out.splitlines()
    assert lines[0] == "Held-out deals"
    kept, base = report["metrics"][report["kind"]], report["metrics"]["baseline"]
    names = {"logistic": "logistic regression", "boosting": "gradient boosting"}
    verdict = (
        f"Kept: {names[report['kind']]}, which beats the baseline "
        f"(AUC {kept['auc']:.3f} vs {base['auc']:.3f}, "
        f"Brier {kept['brier']:.4f} vs {base['brier']:.4f})."
    )
    assert verdict in lines
    assert "Stored as model 1; it is the one in use." in lines
    assert f"Calibration of the {names[report['kind']]}" in out
    first = kept["calibration"][0]
    row = next(line for line in lines if line.startswith("│      1 │"))
    assert f"{first['predicted'] * 100:.1f}%" in row and f"{first['observed'] * 100:.1f}%" in row
    assert as_json(run("model", "evaluate", "--db", db, "--json")) == report


def test_explain_says_the_probability_and_the_factors_in_words(
    run: Run, demo_db: tuple[str, dict[str, Any]]
) -> None:
    db, report = demo_db
    deal = _deals(run, db, "open")[0]
    scored = as_json(
        run("model", "explain", str(deal["id"]), "--db", db, "--as-of", AS_OF, "--json")
    )
    assert scored["model_id"] == report["id"] and scored["deal_id"] == deal["id"]
    lines = run(
        "model", "explain", str(deal["id"]), "--db", db, "--as-of", AS_OF
    ).stdout.splitlines()
    names = {"logistic": "logistic regression", "boosting": "gradient boosting"}
    assert lines[:3] == [
        f"Deal {deal['id']} ({deal['title']}): win probability "
        f"{scored['probability'] * 100:.1f}% as of {AS_OF}",
        f"From model 1 ({names[report['kind']]}) on history to {AS_OF}.",
        "Raises it:",
    ]
    ups = [f"  {f['said']}" for f in scored["explanation"]["up"]]
    assert lines[3 : 3 + len(ups)] == ups
    assert "Lowers it:" in lines


def test_explaining_a_closed_deal_is_refused(run: Run, demo_db: tuple[str, dict[str, Any]]) -> None:
    db, _ = demo_db
    lost = _deals(run, db, "lost")[0]
    result = run("model", "explain", str(lost["id"]), "--db", db, "--as-of", AS_OF, code=2)
    assert result.stderr == (
        f"error: deal_id: deal {lost['id']} was lost on {lost['closed_at'][:10]}: only deals "
        f"open at {AS_OF} 00:00 get a win probability\n"
    )
    result = run("model", "explain", "99999", "--db", db, code=2)
    assert result.stderr == "error: deal 99999 not found\n"


def test_too_little_history_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    open_database(sqlite_url(path)).dispose()
    result = run("model", "train", "--db", str(path), code=2)
    assert result.stderr.startswith("error: a win model needs at least 40 closed deals")
    assert "there are 0 (0 won, 0 not won)" in result.stderr


def _write_table(path: Path, rows: int = 80) -> Path:
    start = date(2024, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "region", "opened", "result", "amount"])
        for i in range(rows):
            won = i % 3 != 0 if i % 2 == 0 else i % 5 == 0
            result = "W" if won else ("L" if i < rows - 5 else "Open")
            writer.writerow(
                [
                    f"op{i}",
                    "north" if i % 2 == 0 else "south",
                    (start + timedelta(days=i)).isoformat(),
                    result,
                    str(1000 + i) if result == "W" else ("0" if result == "L" else ""),
                ]
            )
    return path


def test_train_on_a_table_leaves_out_outcome_columns(run: Run, tmp_path: Path) -> None:
    table = str(_write_table(tmp_path / "opps.csv"))
    options = ["--table", table, "--target", "result", "--won", "W", "--lost", "L"]
    result = as_json(run("model", "train", *options, "--date", "opened", "--json"))
    uses = {c["column"]: c["use"] for c in result["columns"]}
    assert uses == {
        "id": "identifier",
        "region": "text",
        "opened": "date",
        "result": "target",
        "amount": "outcome",
    }
    assert result["open"] == len(result["scored"]) > 0
    assert result["scored"][0]["row"].startswith("op")
    out = run("model", "train", *options, "--date", "opened").stdout
    assert out.splitlines()[0].endswith("open; split on opened.")
    assert "Left out amount: tells won from lost almost perfectly" in out
    assert "rows with opened from 2024-" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "x.csv"], "error: --table needs --target, --won and --lost\n"),
        (
            ["--target", "result"],
            "error: --target, --won, --lost, --date, --ignore and --id go with --table\n",
        ),
    ],
)
def test_table_options_go_together(run: Run, args: list[str], message: str) -> None:
    assert run("model", "train", *args, code=2).stderr == message


def test_a_bad_table_option_names_the_option(run: Run, tmp_path: Path) -> None:
    table = str(_write_table(tmp_path / "opps.csv"))
    result = run(
        "model",
        "train",
        "--table",
        table,
        "--target",
        "outcome",
        "--won",
        "W",
        "--lost",
        "L",
        code=2,
    )
    assert result.stderr == (
        "error: target: unknown column 'outcome'; the table has id, region, opened, result, "
        "amount\n"
    )
    missing = str(tmp_path / "nope.csv")
    result = run(
        "model", "train", "--table", missing, "--target", "r", "--won", "W", "--lost", "L", code=2
    )
    assert missing in result.stderr and result.stderr.startswith("error: ")


def test_forecast_with_model_uses_the_models_p_win(
    run: Run, demo_db: tuple[str, dict[str, Any]]
) -> None:
    from dealgraph.services.win_model import win_probabilities

    db, _ = demo_db
    args = ("plan", "forecast", "--db", db, "--as-of", AS_OF, "--period", "2025Q3")
    with_model = as_json(run(*args, "--model", "--json"))
    without = as_json(run(*args, "--json"))
    database = open_database(sqlite_url(Path(db)))
    try:
        with database.session() as session:
            from datetime import datetime

            expected = win_probabilities(session, as_of=datetime(2025, 6, 1))
    finally:
        database.dispose()
    assert with_model["drivers"] and {d["p_win_source"] for d in with_model["drivers"]} == {"model"}
    for row in with_model["drivers"]:
        assert row["p_win"] == pytest.approx(expected[row["deal_id"]].probability)
    assert {d["p_win_source"] for d in without["drivers"]} == {"history"}
    printed = run(*args, "--model").stdout
    assert f"P(win) from the win model ({expected[next(iter(expected))].model_kind}" in printed
