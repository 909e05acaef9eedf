"""``dealgraph plan quota``: the goal tree for people (exact output), as JSON, and bad input."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dealgraph.demo import build_demo
from dealgraph.store.db import open_database
from tests.cli.conftest import Run, as_json

DEMO_AS_OF = datetime(2026, 6, 30)

PLAN = """\
win_rate: 0.22
average_deal: 60000
sellers: 4
cycle_days: 90
cycle_days_p90: 120
"""

EXPECTED = """\
Quota 2,000,000 USD for 2027Q1 (2027-01-01 to 2027-03-31): 34 wins, 155 opportunities, \
9,300,000 USD of pipeline (4.65x coverage), win rate 22.0%
Quota 2027Q1: 2,000,000 USD
2,000,000 USD to book between 2027-01-01 and 2027-03-31.
└── 34 wins (2,040,000 USD) - average deal 60,000 USD, plan file
    2,000,000 USD / 60,000 USD average won deal = 33.3, rounded up to 34 wins.
    └── 155 opportunities (9,300,000 USD) - win rate 22.0%, plan file
        34 wins / 22.0% win rate = 154.5, rounded up to 155 opportunities (9,300,000 USD of \
pipeline, 4.65x the quota).
When opportunities must get there to close in the period
┏━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ stage        ┃ opportunities ┃ days to win ┃ reach it between         ┃ slow deals (p90)         ┃
┡━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ the pipeline │           155 │          90 │ 2026-10-03 to 2026-12-31 │ 2026-09-03 to 2026-12-01 │
└──────────────┴───────────────┴─────────────┴──────────────────────────┴──────────────────────────┘
Sensitivity: more pipeline needed if a rate is lower
┏━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ node          ┃       rate ┃ lower by                ┃ extra opportunities ┃ extra pipeline ┃
┡━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ wins          │ 60,000 USD │ 1 % of the average deal │                   0 │          0 USD │
│ opportunities │      22.0% │ 1 percentage point      │                   7 │    420,000 USD │
└───────────────┴────────────┴─────────────────────────┴─────────────────────┴────────────────┘
Rates used
┏━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ rate           ┃      value ┃ source                  ┃
┡━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ average deal   │ 60,000 USD │ plan file               │
│ win rate       │      22.0% │ plan file               │
│ cycle days p50 │         90 │ plan file               │
│ cycle days p90 │        120 │ plan file               │
│ sellers        │          4 │ plan file               │
│ weeks          │       12.9 │ default (period length) │
└────────────────┴────────────┴─────────────────────────┘
note: no stage history: the tree stops at opportunities; set `conversion` for every stage \
(question_status_quo, assemble_team, define_problem, try_in_house, weigh_change, \
agree_criteria_budget, choose_solution, approve_contract) in a plan file (--plan) to plan each \
stage
"""


@pytest.fixture
def empty_db(run: Run, tmp_path: Path) -> str:
    path = str(tmp_path / "empty.db")
    run("init", "--db", path)
    return path


@pytest.fixture
def plan_file(tmp_path: Path) -> str:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return str(path)


def test_goal_tree_for_people(run: Run, empty_db: str, plan_file: str) -> None:
    result = run(
        "plan", "quota", "2000000", "--period", "2027Q1", "--plan", plan_file,
        "--db", empty_db, "--as-of", "2026-12-01",
    )  # fmt: skip
    assert result.stdout == EXPECTED


def test_goal_tree_as_json_over_dates(run: Run, empty_db: str, plan_file: str) -> None:
    data = as_json(
        run(
            "plan", "quota", "2000000", "--from", "2027-01-01", "--to", "2027-03-31",
            "--plan", plan_file, "--db", empty_db, "--json", "--as-of", "2026-12-01",
        )
    )  # fmt: skip
    assert (data["wins"], data["opportunities"], data["pipeline"]) == (34, 155, 9_300_000.0)
    assert data["coverage"] == pytest.approx(4.65)
    assert data["period"] == {"label": "2027-01-01..2027-03-31", "start": "2027-01-01",
                              "end": "2027-03-31"}  # fmt: skip
    wins = data["root"]["children"][0]
    opportunities = wins["children"][0]
    assert (wins["key"], wins["count"], wins["rate"], wins["rate_source"]) == (
        "wins",
        34,
        60_000.0,
        "plan file",
    )
    assert opportunities["sensitivity"] == {
        "per": "1 percentage point",
        "extra_opportunities": 7,
        "extra_pipeline": 420_000.0,
    }
    assert opportunities["children"] == []


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("plan-quota") / "demo.db"
    database = open_database(f"sqlite:///{path}")
    try:
        build_demo(database, seed=7, as_of=DEMO_AS_OF)
    finally:
        database.dispose()
    return str(path)


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node["children"]:
        found += _walk(child)
    return found


def test_demo_tree_walks_every_stage_down_to_activities(run: Run, demo_db: str) -> None:
    data = as_json(
        run("plan", "quota", "1500000", "--period", "2026Q4", "--db", demo_db, "--json",
            "--as-of", "2026-06-30", "--sellers", "6")
    )  # fmt: skip
    keys = [node["key"] for node in _walk(data["root"])]
    assert keys[:3] == ["quota", "wins", "stage:approve_contract"]
    assert keys[-5:] == [
        "stage:question_status_quo",
        "conversations",
        "conversations_per_seller_week",
        "activities",
        "activities_per_seller_week",
    ]
    stages = [n for n in _walk(data["root"]) if n["key"].startswith("stage:")]
    counts = [n["count"] for n in stages]
    assert counts == sorted(counts) and counts[-1] == data["opportunities"]
    assert all(n["rate_source"].startswith("history (n=") for n in stages)
    assert all(n["why"] and n["sensitivity"]["per"] == "1 percentage point" for n in stages)
    assert data["sellers"] == 6 and data["rates"]["sellers"]["source"] == "option"
    assert [w["stage"] for w in data["time_phasing"]][0] == "question_status_quo"
    assert {c["channel"] for c in data["channels"]} >= {"field", "virtual", "email"}


def test_demo_tree_for_people_shows_every_part(run: Run, demo_db: str) -> None:
    out = run(
        "plan", "quota", "1500000", "--period", "2026Q4", "--db", demo_db, "--as-of", "2026-06-30"
    ).stdout
    assert out.startswith("Quota 1,500,000 USD for 2026Q4 (2026-10-01 to 2026-12-31): ")
    for part in (
        "opportunities reaching Approving and contracting",
        "conversations per seller per week",
        "When opportunities must get there to close in the period",
        "Sensitivity: more pipeline needed if a rate is lower",
        "Interactions by channel",
        "conversion out of question_status_quo",
        "note: average deal from the 55 won deals in USD; 18 won deals in other currencies "
        "left out (EUR 11, GBP 7)",
    ):
        assert part in out, part


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0", "--period", "2027Q1"], "error: quota: must be a positive amount, got 0\n"),
        (["1000"], "error: give the period: --period 2027Q1 (or 2027, 2027-03), or --from and "
                   "--to dates\n"),
        (["1000", "--period", "2027Q1", "--from", "2027-01-01"],
         "error: give either --period or --from and --to, not both\n"),
        (["1000", "--period", "2027Q5"],
         "error: period: cannot read '2027Q5' as a period; use a quarter "
         "(2027Q1), a year (2027) or a month (2027-03)\n"),
        (["1000", "--from", "2027-02-01", "--to", "2027-01-01"],
         "error: period: the period ends (2027-01-01) before it starts (2027-02-01)\n"),
        (["1000", "--period", "2027", "--currency", "euros"],
         "error: currency: must be a three-letter code like EUR, got 'euros'\n"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line(
    run: Run, empty_db: str, args: list[str], message: str
) -> None:
    result = run("plan", "quota", *args, "--db", empty_db, code=2)
    assert result.stdout == ""
    assert result.stderr == message


def test_missing_rate_says_how_to_supply_it(run: Run, empty_db: str) -> None:
    result = run("plan", "quota", "1000", "--period", "2027", "--db", empty_db, code=2)
    assert result.stderr == (
        "error: average_deal: no won deals in the workspace: set average_deal in a plan file "
        "(--plan)\n"
    )


def test_plan_file_problems_are_located(run: Run, empty_db: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("win_rate: 1.5\nconversion:\n  qualify: 0.5\n", encoding="utf-8")
    result = run("plan", "quota", "1000", "--period", "2027", "--plan", str(path),
                 "--db", empty_db, code=2)  # fmt: skip
    assert result.stderr == (
        f"error: 2 problem(s) in plan file; {path}:1:11: `win_rate` must be a share above 0 "
        f"and at most 1 (write 1.5 % as 0.015), got 1.5 (at win_rate); {path}:3:3: unknown "
        "stage `qualify` in conversion; stages: question_status_quo, assemble_team, "
        "define_problem, try_in_house, weigh_change, agree_criteria_budget, choose_solution, "
        "approve_contract (at conversion -> qualify)\n"
    )
