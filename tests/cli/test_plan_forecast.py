"""``dealgraph plan forecast|backtest`` through Typer's runner, on real SQLite workspaces."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from dealgraph.demo import build_demo
from dealgraph.services.workspace import import_workspace
from dealgraph.store.db import open_database
from dealgraph.store.deals import history_fingerprint
from tests.cli.conftest import Run, as_json
from tests.planning.forecast_fixtures import IDS, workspace

DEMO_AS_OF = datetime(2025, 6, 1)
HAND = ["--as-of", "2026-04-11", "--from", "2026-04-01", "--to", "2026-05-10"]


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The hand-built workspace of tests/planning/forecast_fixtures.py in a SQLite file."""
    path = tmp_path_factory.mktemp("forecast-hand") / "hand.db"
    records = workspace()
    document = {
        "format": "dealgraph-workspace",
        "format_version": 1,
        "deals": [r.deal.model_dump(mode="json") for r in records],
        "stage_changes": [c.model_dump(mode="json") for r in records for c in r.stage_changes],
    }
    database = open_database(f"sqlite:///{path}")
    try:
        with database.session() as session:
            import_workspace(session, document)
    finally:
        database.dispose()
    return str(path)


@pytest.fixture
def every_stage_its_own(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No pooling: the hand computation fits each stage on its own history."""
    monkeypatch.setenv("DEALGRAPH_HISTORY_MIN_DEALS", "1")
    yield


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("forecast-demo") / "demo.db"
    database = open_database(f"sqlite:///{path}")
    try:
        build_demo(database, seed=7, as_of=DEMO_AS_OF)
    finally:
        database.dispose()
    return str(path)


EXPECTED_HAND = """\
Forecast of 2026-04-01..2026-05-10 in USD, as of 2026-04-11 00:00
2 deals open in USD; 1 deal in other currencies left out
Already won in the period: 1,000 USD (1 deal)

Bookings (1,000 trials, seed 1)
  Expected           1,050 USD   (Monte Carlo mean 1,047 ± 2.69)
  P10                1,000 USD
  P50                1,000 USD
  P90                1,200 USD
  P(quota)               23.6%   (quota 1,100 USD)

              1,000 – 1,020 ##############################  76.4%  <- P10, P50
              1,020 – 1,040                                  0.0%
              1,040 – 1,060                                  0.0%
              1,060 – 1,080                                  0.0%
              1,080 – 1,100                                  0.0%
              1,100 – 1,120                                  0.0%  <- quota
              1,120 – 1,140                                  0.0%
              1,140 – 1,160                                  0.0%
              1,160 – 1,180                                  0.0%
              1,180 – 1,200 #########                       23.6%  <- P90
Categories in USD (p = P(win) x P(close in the period))
┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━┳━━━━━━━━━━┓
┃ Category  ┃ Rule           ┃ Deals ┃  Value ┃ Expected ┃
┡━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━╇━━━━━━━━━━┩
│ commit    │ p >= 0.7       │     0 │   0.00 │     0.00 │
│ best case │ 0.3 <= p < 0.7 │     0 │   0.00 │     0.00 │
│ pipeline  │ p < 0.3        │     2 │ 300.00 │    50.00 │
└───────────┴────────────────┴───────┴────────┴──────────┘
Gap to quota (quota - P50): 100.00 USD
New pipeline needed: 200.00 USD (about 1 deal of 525.00 USD) at a 50.0% win rate
  created by 2026-04-03 (period end - median cycle of 38 days): already late
Stalled: 1 deal in the stage longer than any deal of the stage's history took to close, so \
P(close) = 0.
Deals driving the outcome, by share of the variance (values in USD)
┏━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┳━━━━━━━━┓
┃ Deal ┃ Title  ┃ Stage               ┃  Value ┃ P(win) ┃ P(close) ┃     p ┃ Expected ┃  Share ┃
┡━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━╇━━━━━━━━┩
│    5 │ Deal E │ question_status_quo │ 200.00 │  25.0% │   100.0% │ 25.0% │    50.00 │ 100.0% │
│    4 │ Deal D │ assemble_team       │ 100.00 │   0.0% │     0.0% │  0.0% │     0.00 │   0.0% │
└──────┴────────┴─────────────────────┴────────┴────────┴──────────┴───────┴──────────┴────────┘
"""


def test_forecast_prints_the_hand_computed_figures(
    run: Run, hand_db: str, every_stage_its_own: None
) -> None:
    args = ["plan", "forecast", "--db", hand_db, *HAND, "--quota", "1100"]
    out = run(*args, "--trials", "1000", "--seed", "1").stdout
    assert out == EXPECTED_HAND


def test_forecast_json_holds_the_hand_computed_numbers(
    run: Run, hand_db: str, every_stage_its_own: None
) -> None:
    data = as_json(run("plan", "forecast", "--db", hand_db, *HAND, "--trials", "500", "--json"))
    assert data["period"] == {
        "label": "2026-04-01..2026-05-10",
        "start": "2026-04-01",
        "end": "2026-05-10",
    }
    assert data["distribution"]["expected"] == pytest.approx(1050.0)
    assert data["distribution"]["p_quota"] is None and data["gap"] is None
    e = next(d for d in data["drivers"] if d["deal_id"] == IDS["E"])
    assert (e["p_win"], e["p_close"]) == (pytest.approx(0.25), pytest.approx(1.0))
    assert data["other_currency_deals"] == 1


def test_forecast_defaults_to_the_quarter_of_as_of(run: Run, demo_db: str) -> None:
    data = as_json(
        run(
            "plan",
            "forecast",
            "--db",
            demo_db,
            "--as-of",
            "2025-06-01",
            "--trials",
            "200",
            "--json",
        )
    )
    assert data["period"]["label"] == "2025Q2"
    assert data["already_won"] > 0 and data["already_won_deals"] > 0
    out = run(
        "plan",
        "forecast",
        "--db",
        demo_db,
        "--period",
        "2025Q3",
        "--quota",
        "2000000",
        "--as-of",
        "2025-06-01",
        "--trials",
        "2000",
    ).stdout
    full = as_json(
        run(
            "plan",
            "forecast",
            "--db",
            demo_db,
            "--period",
            "2025Q3",
            "--quota",
            "2000000",
            "--as-of",
            "2025-06-01",
            "--trials",
            "2000",
            "--json",
        )
    )
    assert out.startswith("Forecast of 2025Q3 (2025-07-01..2025-09-30) in USD, as of 2025-06-01")
    p_quota = full["distribution"]["p_quota"] * 100
    assert f"P(quota)  {p_quota:>17.1f}%   (quota 2,000,000 USD)" in out
    gap = full["gap"]
    assert f"Gap to quota (quota - P50): {gap:,.0f} USD" in out
    assert str(full["drivers"][0]["deal_id"]) in out.split("Deals driving")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2027Q5"], "error: period: cannot read '2027Q5' as a period"),
        (["--from", "2026-05-01", "--to", "2026-04-01"], "error: period: the period ends"),
        (["--from", "2026-05-01"], "error: --from and --to go together"),
        (["--period", "2026Q2", "--from", "2026-05-01"], "error: give --period or --from/--to"),
        (["--period", "2026Q2", "--quota", "-5"], "error: quota: quota must be"),
        (["--period", "2026Q2", "--currency", "JPY"], "error: currency: no deal in 'JPY'"),
        (["--period", "2026Q1"], "error: as_of: the period 2026Q1 ended before 2026-04-11"),
        (["--period", "2026Q2", "--trials", "0"], "error: trials: trials must be 1 to"),
        (["--period", "2026Q2", "--commit", "0.2"], "error: --commit/--best-case:"),
    ],
)
def test_bad_forecast_options_fail_with_one_line_and_change_nothing(
    run: Run, hand_db: str, args: list[str], message: str
) -> None:
    database = open_database(f"sqlite:///{hand_db}")
    try:
        with database.session() as session:
            before = history_fingerprint(session)
        result = run("plan", "forecast", "--db", hand_db, "--as-of", "2026-04-11", *args, code=2)
        with database.session() as session:
            assert history_fingerprint(session) == before
    finally:
        database.dispose()
    assert result.stderr.startswith(message), result.stderr
    assert result.stdout == ""


def test_backtest_table_matches_its_json(run: Run, demo_db: str) -> None:
    args = ["plan", "backtest", "--db", demo_db, "--as-of", "2025-06-01", "--periods", "5"]
    data = as_json(run(*args, "--trials", "1000", "--json"))
    assert [p["period"]["label"] for p in data["periods"]] == ["2024Q3", "2024Q4", "2025Q1"]
    assert data["skipped"] == ["2024Q1", "2024Q2"]
    out = run(*args, "--trials", "1000").stdout
    for row in data["periods"]:
        cells = [
            row["period"]["label"],
            str(row["open_deals"]),
            str(row["history_deals"]),
            f"{row['p10']:,.0f}",
            f"{row['p50']:,.0f}",
            f"{row['p90']:,.0f}",
            f"{row['actual_from_pipeline']:,.0f}",
        ]
        line = next(line for line in out.splitlines() if row["period"]["label"] in line)
        assert [c for c in cells if c not in line] == []
        assert ("yes" if row["inside_band"] else "no") in line
    inside = sum(p["inside_band"] for p in data["periods"])
    share = data["inside_band_share"] * 100
    mae = data["mean_absolute_error"] * 100
    assert (
        f"Inside P10–P90: {inside} of 3 periods ({share:.1f}%); mean absolute error of P50: "
        f"{mae:.1f}%"
    ) in out
    assert (
        "Skipped (fewer than 30 closed deals, or no win, before the start): 2024Q1, 2024Q2" in out
    )


def test_backtest_refuses_a_bad_period_count(run: Run, demo_db: str) -> None:
    result = run("plan", "backtest", "--db", demo_db, "--periods", "0", code=2)
    assert result.stderr.startswith("error: periods: periods must be 1 to 40, got 0")
