"""``dealgraph simulate``: shipped designs, the fitted workspace model, and bad files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dealgraph.core.playbook import get_playbook
from dealgraph.demo import build_demo
from dealgraph.planning.markov import build_chain, closed_form
from dealgraph.planning.scenario import Scenario
from dealgraph.store.db import open_database
from tests.cli.conftest import Run, as_json

AS_OF = datetime(2025, 6, 1)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("simulate") / "demo.db"
    database = open_database(f"sqlite:///{path}")
    try:
        build_demo(database, seed=7, as_of=AS_OF)
    finally:
        database.dispose()
    return str(path)


def test_two_shipped_designs_as_json(run: Run) -> None:
    report = as_json(
        run(
            "simulate",
            "--scenario",
            "buyer-journey",
            "--vs",
            "buyer-journey-more-meetings",
            "--deals",
            "20000",
            "--seed",
            "4",
            "--json",
        )
    )
    assert set(report) == {"deals", "seed", "a", "b", "comparison"}
    assert (report["deals"], report["seed"]) == (20_000, 4)
    assert report["a"]["name"] == "buyer-journey"
    assert report["b"]["simulated"]["seed"] == 5
    assert report["a"]["closed_form"]["win_rate"] == pytest.approx(0.27378, abs=1e-5)
    assert report["b"]["closed_form"]["win_rate"] == pytest.approx(0.29080, abs=1e-5)
    assert [row["metric"] for row in report["comparison"]] == [
        "win_rate",
        "loss_rate",
        "no_decision_rate",
        "cycle_p50_won",
        "cycle_p90_won",
        "cycle_mean_won",
        "hours_per_deal",
        "cost_per_deal",
        "hours_per_win",
        "cost_per_win",
        "velocity",
    ]
    for row in report["comparison"]:
        assert set(row) == {
            "metric", "label", "unit", "a", "b", "difference", "low", "high", "significant",
            "method",
        }  # fmt: skip
        assert row["low"] <= row["difference"] <= row["high"]
        assert row["significant"] == (not row["low"] <= 0 <= row["high"])
    simulated = report["a"]["simulated"]
    assert simulated["won"] + simulated["lost"] + simulated["no_decision"] == 20_000


def test_comparison_table_for_people(run: Run) -> None:
    out = run(
        "simulate",
        "--scenario",
        "buyer-journey",
        "--vs",
        "buyer-journey-more-meetings",
        "--deals",
        "2000",
    ).stdout
    lines = out.splitlines()
    assert lines[:3] == [
        "A: Buyer journey, as run today (buyer-journey; playbook buyer-journey; seed 1)",
        "B: Buyer journey with two discovery meetings (buyer-journey-more-meetings; "
        "playbook buyer-journey; seed 2)",
        "2,000 deals simulated per design.",
    ]
    assert lines[3] == "A vs B (Monte Carlo; B - A with its 95 % interval)"
    assert any(line.startswith("│ cost per win (USD)") for line in lines)
    closed = lines.index("Closed form (absorbing Markov chain)")
    assert lines[closed + 1 : closed + 9] == [
        "┏━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━┳━━━━━━━━━┓",
        "┃ Outcome     ┃     A ┃     B ┃   B - A ┃",
        "┡━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━╇━━━━━━━━━┩",
        "│ won         │ 27.4% │ 29.1% │ +1.7 pp │",
        "│ lost        │ 27.4% │ 27.0% │ -0.3 pp │",
        "│ no decision │ 45.2% │ 43.9% │ -1.4 pp │",
        "└─────────────┴───────┴───────┴─────────┘",
        lines[closed + 8],
    ]
    assert lines[-2].startswith("buyer-journey: Monte Carlo win rate ")
    assert lines[-1].endswith("vs closed form 29.08% (" + lines[-1].split("(")[-1])


def test_one_design_shows_monte_carlo_beside_the_closed_form(run: Run) -> None:
    out = run("simulate", "--scenario", "buyer-journey", "--deals", "5000").stdout
    assert "Simulation" in out and "Per stage" in out
    row = next(line for line in out.splitlines() if line.startswith("│ question_status_quo"))
    assert row.split("│")[2:5] == [
        "           1.000 ",
        "       1.000 ",
        "         27.4% ",
    ]
    assert "│ cost per win " in out and " USD │" in out


def test_fit_prints_writes_and_feeds_a_comparison(run: Run, demo_db: str, tmp_path: Path) -> None:
    text = run("simulate", "--fit", "--db", demo_db).stdout
    assert text.startswith("# Fitted by `dealgraph simulate --fit` from 300 deals")
    assert "\nplaybook: buyer-journey\n" in text
    fitted = as_json(run("simulate", "--fit", "--db", demo_db, "--json"))
    assert fitted["report"]["deals"] == 300
    target = tmp_path / "fitted.yaml"
    out = run("simulate", "--fit", "--db", demo_db, "--write", str(target)).stdout
    assert out == f"wrote {target}: fitted from 300 deals (190 closed) on playbook buyer-journey\n"
    assert target.read_text(encoding="utf-8") == text
    report = as_json(
        run(
            "simulate",
            "--scenario",
            str(target),
            "--vs",
            "buyer-journey",
            "--deals",
            "5000",
            "--json",
        )
    )
    # the written file (4 decimals) gives nearly the chain of the fit itself
    scenario = Scenario.model_validate(fitted["scenario"])
    exact = closed_form(build_chain(scenario, get_playbook("buyer-journey")))
    assert report["a"]["closed_form"]["win_rate"] == pytest.approx(exact.win_rate, abs=1e-3)
    assert report["a"]["name"] == str(target)


def test_a_bad_scenario_file_exits_2_with_its_location(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: buyer-journey.yaml\n", encoding="utf-8")  # no such file beside it
    result = run("simulate", "--scenario", str(bad), code=2)
    assert result.stdout == ""
    assert result.stderr == (
        f"error: 1 problem(s) in scenario; {bad}:1:10: `extends`: no scenario file at "
        f"{tmp_path / 'buyer-journey.yaml'} (at extends)\n"
    )
    bad.write_text(
        "extends: "
        + str(Path(__file__).parents[2] / "src/dealgraph/scenarios/buyer-journey.yaml")
        + "\nstages:\n  define_problem:\n    mix: {meeting: 2}\n",
        encoding="utf-8",
    )
    result = run("simulate", "--scenario", str(bad), "--json", code=2)
    assert result.stderr.startswith(f"error: 1 problem(s) in scenario; {bad}:4:11: unknown channel")


def test_usage_errors_change_nothing(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "fitted.yaml"
    result = run("simulate", "--write", str(target), code=2)
    assert result.stderr == "error: --write goes with --fit (it writes the fitted scenario)\n"
    result = run(
        "simulate", "--fit", "--write", str(target), "--db", str(tmp_path / "x.db"), code=2
    )
    assert result.stderr.startswith("error: no workspace at ")
    assert not target.exists() and not (tmp_path / "x.db").exists()
    result = run("simulate", "--scenario", "no-such-design", code=2)
    assert result.stderr == "error: scenario 'no-such-design' not found\n"
    result = run("simulate", "--scenario", "buyer-journey", "--deals", "0", code=2)
    assert "--deals" in result.stderr
