"""``dealgraph patterns funnel|conformance|channels|signals|stalls`` on the demo workspace."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dealgraph.cli import patterns
from dealgraph.cli.patterns_more import register
from dealgraph.demo import build_demo
from dealgraph.store.db import open_database
from tests.cli.conftest import Run, as_json

AS_OF = datetime(2025, 6, 1)


@pytest.fixture(scope="module", autouse=True)
def commands_registered() -> None:
    """Until the lead wires ``register`` into ``cli/__init__``, add the commands here once."""
    names = {command.name for command in patterns.app.registered_commands}
    if "funnel" not in names:
        register(patterns.app)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("patterns-more") / "demo.db"
    database = open_database(f"sqlite:///{path}")
    try:
        build_demo(database, seed=7, as_of=AS_OF)
    finally:
        database.dispose()
    return str(path)


def test_funnel_reach_never_grows_along_the_journey(run: Run, demo_db: str) -> None:
    rows = as_json(run("patterns", "funnel", "--db", demo_db, "--json"))
    reached = [row["reached"] for row in rows]
    assert rows[0]["stage"] == "question_status_quo"
    assert reached == sorted(reached, reverse=True) and reached[-1] > 0
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["conversion"] == pytest.approx(after["reached"] / before["reached"])


def test_funnel_by_seller_adds_up_to_the_whole(run: Run, demo_db: str) -> None:
    whole = as_json(run("patterns", "funnel", "--db", demo_db, "--json"))
    split = as_json(run("patterns", "funnel", "--db", demo_db, "--cohort", "seller", "--json"))
    assert len({row["cohort"] for row in split}) > 1
    first = whole[0]["stage"]
    assert sum(r["reached"] for r in split if r["stage"] == first) == whole[0]["reached"]


def test_funnel_table_for_people(run: Run, demo_db: str) -> None:
    out = run("patterns", "funnel", "--db", demo_db).stdout
    assert out.startswith("Funnel\n")
    assert "Conversion" in out and "approve_contract" in out


def test_conformance_splits_closed_deals(run: Run, demo_db: str) -> None:
    report = as_json(run("patterns", "conformance", "--db", demo_db, "--json"))
    closed = [c for c in report["cases"] if c["status"] in ("won", "lost", "no_decision")]
    deviating = [c for c in closed if c["fitness"] < 1]
    assert report["deviating"]["trials"] == len(deviating)
    assert report["conforming"]["trials"] + report["deviating"]["trials"] == len(closed)
    won = sum(1 for c in closed if c["status"] == "won" and c["fitness"] == 1)
    assert report["conforming"]["successes"] == won
    out = run("patterns", "conformance", "--db", demo_db, "--limit", "3").stdout
    assert "Win rate of closed deals" in out and f"{len(report['cases'])} deals" in out


def test_channels_shares_are_proportions(run: Run, demo_db: str) -> None:
    rows = as_json(run("patterns", "channels", "--db", demo_db, "--json"))
    assert rows
    for row in rows:
        assert row["advance_share"] == pytest.approx(row["advanced"] / row["interactions"])
    short = as_json(run("patterns", "channels", "--db", demo_db, "--within-days", "1", "--json"))
    assert sum(r["advanced"] for r in short) < sum(r["advanced"] for r in rows)


def test_signals_lift_against_the_base_rate(run: Run, demo_db: str) -> None:
    rows = as_json(run("patterns", "signals", "--db", demo_db, "--json"))
    assert rows
    base = rows[0]["base_loss_rate"]
    assert 0 < base < 1
    for row in rows:
        assert row["loss_rate"] == pytest.approx(row["losses"] / row["deals"])
        assert row["lift"] == pytest.approx(row["loss_rate"] / base)
        assert row["low"] <= row["loss_rate"] <= row["high"]


def test_stalls_are_open_deals_sorted_by_ratio(run: Run, demo_db: str) -> None:
    rows = as_json(run("patterns", "stalls", "--db", demo_db, "--as-of", "2025-06-01", "--json"))
    assert len(rows) == 20
    ratios = [row["ratio"] for row in rows if row["ratio"] is not None]
    assert ratios == sorted(ratios, reverse=True)
    assert all(row["days_in_stage"] >= 0 for row in rows)


def test_bad_options_fail_with_one_line_and_change_nothing(
    run: Run, demo_db: str, tmp_path: Path
) -> None:
    before = Path(demo_db).stat().st_mtime_ns
    result = run("patterns", "funnel", "--db", demo_db, "--stages", ",", code=2)
    assert result.stderr == "error: --stages: give at least one stage\n"
    log = tmp_path / "log.csv"
    log.write_text("case,activity,timestamp\n")
    result = run("patterns", "funnel", "--log", str(log), "--cohort", "seller", code=2)
    assert "--cohort needs the workspace's case table" in result.stderr
    result = run("patterns", "signals", "--db", demo_db, "--playbook", "nope", code=2)
    assert result.stderr.startswith("error:") and "nope" in result.stderr
    assert Path(demo_db).stat().st_mtime_ns == before
