"""Plan files (located problems, like playbooks) and plan periods."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dealgraph.errors import InvalidInput, PlaybookError
from dealgraph.planning.period import parse_period, period_between
from dealgraph.planning.plan_file import (
    PlanFile,
    PlanFileError,
    load_plan_file,
    load_plan_text,
)
from tests.conftest import REPO_ROOT

STAGES = ["discover", "qualify", "validate", "commit"]


def problems(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(PlanFileError) as error:
        load_plan_text(text, file="plan.yaml", stages=STAGES, won_stage="closed_won")
    return [(p.location.line, p.location.column, p.code, p.message) for p in error.value.problems]


def test_every_key_of_a_plan_file() -> None:
    text = """\
win_rate: 0.22
average_deal: 60000
conversion:
  qualify: 0.6
  commit: 1
cycle_days: 90
cycle_days_p90: 150.5
sellers: 8
weeks: 13
conversations_per_advance: 3
activities_per_advance: 8.5
"""
    plan = load_plan_text(text, stages=STAGES, won_stage="closed_won")
    assert plan == PlanFile(
        win_rate=0.22,
        average_deal=60_000,
        conversion={"qualify": 0.6, "commit": 1.0},
        cycle_days=90,
        cycle_days_p90=150.5,
        sellers=8,
        weeks=13,
        conversations_per_advance=3,
        activities_per_advance=8.5,
    )


def test_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("sellers: 3\n", encoding="utf-8")
    assert load_plan_file(path).sellers == 3
    with pytest.raises(PlanFileError) as error:
        load_plan_file(tmp_path / "missing.yaml")
    assert error.value.problems[0].code == "unreadable-file"
    assert "missing.yaml:1:1: cannot read the plan file" in str(error.value)


def test_unknown_stage_is_located_with_a_suggestion() -> None:
    found = problems("win_rate: 0.3\nconversion:\n  qualfy: 0.6\n  closed_won: 0.9\n")
    assert found == [
        (
            3,
            3,
            "unknown-reference",
            "unknown stage `qualfy` in conversion; did you mean `qualify`? "
            "stages: discover, qualify, validate, commit",
        ),
        (
            4,
            3,
            "won-stage",
            "`closed_won` is the won end: it has no conversion; the last one is out of `commit`",
        ),
    ]


def test_shares_out_of_range_say_how_to_write_them() -> None:
    found = problems("win_rate: 22\nconversion: {discover: 0}\n")
    assert found == [
        (1, 11, "wrong-value", "`win_rate` must be a share above 0 and at most 1 (write 22 % "
         "as 0.22), got 22"),
        (2, 24, "wrong-value", "`conversion -> discover` must be a share above 0 and at most 1, "
         "got 0"),
    ]  # fmt: skip


def test_unknown_field_typos_wrong_types_and_duplicates_together() -> None:
    found = problems("winrate: 0.2\nsellers: eight\nweeks: 13\nweeks: 12\nconversion: 0.6\n")
    assert [(line, column, code) for line, column, code, _ in found] == [
        (1, 1, "unknown-field"),
        (2, 10, "wrong-type"),
        (4, 1, "duplicate-key"),
        (5, 13, "wrong-type"),
    ]
    messages = [message for *_, message in found]
    assert messages[0].startswith("unknown field `winrate`; did you mean `win_rate`?")
    assert "`sellers`" in messages[1] and "'eight'" in messages[1]
    assert "appears twice (first on line 3)" in messages[2]
    assert "for example `conversion: {qualify: 0.6}`" in messages[3]


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "not-a-mapping"), ("- 1\n- 2\n", "not-a-mapping"), ("win_rate: [0.2\n", "yaml-syntax")],
)
def test_not_a_plan(text: str, code: str) -> None:
    assert problems(text)[0][2] == code


def test_a_plan_file_error_is_a_playbook_error_with_its_own_heading() -> None:
    with pytest.raises(PlaybookError) as error:
        load_plan_text("sellers: 0\n", file="q1.yaml")
    assert str(error.value).splitlines()[0] == "1 problem(s) in plan file"
    assert str(error.value).splitlines()[1].startswith("q1.yaml:1:10: `sellers`")


@pytest.mark.parametrize(
    ("text", "label", "start", "end"),
    [
        ("2027Q1", "2027Q1", date(2027, 1, 1), date(2027, 3, 31)),
        ("2027-q4", "2027Q4", date(2027, 10, 1), date(2027, 12, 31)),
        ("2028", "2028", date(2028, 1, 1), date(2028, 12, 31)),
        ("2028-02", "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2027-2", "2027-02", date(2027, 2, 1), date(2027, 2, 28)),
    ],
)
def test_periods(text: str, label: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.end) == (label, start, end)


def test_period_length_in_days_and_weeks() -> None:
    assert (parse_period("2027Q1").days, parse_period("2027Q1").weeks) == (90, 90 / 7)
    assert period_between(date(2027, 1, 4), date(2027, 1, 17)).weeks == 2


@pytest.mark.parametrize("text", ["2027Q5", "27Q1", "2027-13", "next quarter", ""])
def test_bad_periods_say_what_to_write(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_period(text)
    assert error.value.where == "period"


def test_period_end_before_start() -> None:
    with pytest.raises(InvalidInput) as error:
        period_between(date(2027, 2, 1), date(2027, 1, 1))
    assert error.value.where == "period"
    assert "ends (2027-01-01) before it starts (2027-02-01)" in str(error.value)


def test_every_plan_file_key_is_documented() -> None:
    text = (REPO_ROOT / "docs" / "planning.md").read_text(encoding="utf-8")
    missing = [key for key in PlanFile.model_fields if f"\n{key}:" not in text]
    assert not missing, f"undocumented in docs/planning.md: {missing}"
