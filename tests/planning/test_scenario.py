"""Scenario files: the shipped examples, overrides, and every problem located in its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealgraph.core.playbook import get_playbook
from dealgraph.errors import InvalidInput, PlaybookError, Problem
from dealgraph.planning.scenario import Scenario, scenario_yaml, target_shares
from dealgraph.planning.scenario_load import (
    ScenarioError,
    load_scenario,
    load_scenario_text,
    scenario_path,
    shipped_scenarios,
)
from tests.planning.simulation_fixtures import TWO_STAGES, playbooks_with, tiny_playbook

TINY = tiny_playbook("first", "second")
BUYER = get_playbook("buyer-journey")


def where(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of ``needle`` in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def problems_of(text: str, **kwargs: object) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, file="design.yaml", **kwargs)  # type: ignore[arg-type]
    return caught.value.problems


def located(problems: list[Problem]) -> set[tuple[int, int, str]]:
    return {(p.location.line, p.location.column, p.code) for p in problems}


def test_shipped_scenarios_load_and_cover_every_working_stage() -> None:
    assert set(shipped_scenarios()) >= {"buyer-journey", "buyer-journey-more-meetings"}
    for key in shipped_scenarios():
        scenario = load_scenario(scenario_path(key))
        assert scenario.playbook == "buyer-journey"
        assert list(scenario.stages) == [s.key for s in BUYER.stages if s.end != "won"]
        for stage, spec in scenario.stages.items():
            assert sum(target_shares(BUYER, stage, spec).values()) == pytest.approx(1.0)


def test_redesign_changes_one_stage_and_rescales_the_rest() -> None:
    base = load_scenario(scenario_path("buyer-journey"))
    redesign = load_scenario(scenario_path("buyer-journey-more-meetings"))
    before, after = base.stages["define_problem"], redesign.stages["define_problem"]
    assert after.advance == 0.84
    # back, lost and no decision share the 0.16 left in the base's proportions (6:6:10)
    assert after.back == pytest.approx(0.16 * 6 / 22)
    assert after.lost == pytest.approx(0.16 * 6 / 22)
    assert after.no_decision == pytest.approx(0.16 * 10 / 22)
    assert after.mix == {"email": 0.0, "phone": 1.0, "virtual": 1.0, "field": 2.0}
    assert after.advance_to == before.advance_to
    assert (after.days.p50, after.days.p90) == (18, 40)
    assert redesign.title != base.title and redesign.value == base.value
    for key in base.stages:
        if key != "define_problem":
            assert redesign.stages[key] == base.stages[key]


def test_a_valid_text_gives_the_model() -> None:
    scenario = load_scenario_text(TWO_STAGES, playbooks=playbooks_with(TINY))
    assert scenario.stages["second"].back == 0.2
    assert scenario.stages["first"].days.shape == 0.0
    assert target_shares(TINY, "second", scenario.stages["second"]) == {
        "won": 0.6,
        "first": 0.2,
        "lost": 0.15,
        "no_decision": 0.05,
    }


BAD = """\
title: Bad design
playbook: buyer-journey
value: {p50: 45000, p90: 150000}
channels:
  field: {hours: 4, cost: 610}
  meeting: {hours: 1, cost: 90}
stages:
  question_status_quo:
    mix: {email: 4, fax: 1}
    advance: 0.8
    back: 0
    lost: 0.1
    no_decision: 0.2
    days: {p50: 14, p90: 35}
  assemble_tem:
    advance: 1
    back: 0
    lost: 0
    no_decision: 0
    days: {p50: 14, p90: 30}
  define_problem:
    advance: -0.2
    back: 0
    lost: 0
    no_decision: 0
    dayz: {p50: 14, p90: 10}
  adopt:
    advance: 1
    back: 0
    lost: 0
    no_decision: 0
    days: {p50: 14, p90: 30}
"""


def test_every_problem_is_reported_with_file_line_and_column() -> None:
    problems = problems_of(BAD)
    assert all(p.file == "design.yaml" for p in problems)
    assert located(problems) == {
        (*where(BAD, "meeting"), "unknown-channel"),
        (*where(BAD, "stages:"), "missing-stage"),
        (*where(BAD, "email"), "missing-channel"),
        (*where(BAD, "fax"), "unknown-channel"),
        (*where(BAD, "assemble_tem"), "unknown-stage"),
        (*where(BAD, "define_problem:"), "missing-field"),  # no `days`
        (*where(BAD, "-0.2"), "negative-value"),
        (*where(BAD, "dayz"), "unknown-field"),
        (*where(BAD, "adopt"), "won-end-stage"),
    }
    by_code = {p.code: p for p in problems}
    assert by_code["unknown-stage"].hints == ("assemble_team",)
    assert "did you mean `days`?" in by_code["unknown-field"].message
    assert by_code["negative-value"].location.path == ("stages", "define_problem", "advance")
    text = str(ScenarioError(problems))
    assert text.startswith("9 problem(s) in scenario")
    assert f"design.yaml:{where(BAD, 'fax')[0]}:{where(BAD, 'fax')[1]}: unknown channel" in text


def test_numbers_that_do_not_add_up_are_located() -> None:
    text = TWO_STAGES.replace("lost: 0.15", "lost: 0.25").replace(
        "days: {p50: 10, p90: 10}", "days: {p50: 10, p90: 4}"
    )
    text = text.replace("  second:\n", "  second:\n    advance_to: {first: 1}\n")
    problems = problems_of(text, playbooks=playbooks_with(TINY))
    assert located(problems) == {
        (*where(text, "second:", 1), "probability-sum"),
        (where(text, "p90: 4")[0], where(text, "p90: 4")[1] + 5, "duration-order"),
        (*where(text, "first: 1"), "wrong-direction"),
    }
    message = next(p.message for p in problems if p.code == "probability-sum")
    assert "advance 0.6 + back 0.2 + lost 0.25 + no_decision 0.05 = 1.1" in message


def test_a_loop_no_deal_can_leave_is_refused() -> None:
    text = TWO_STAGES.replace(
        "    advance: 0.8\n    back: 0\n    lost: 0.1\n    no_decision: 0.1",
        "    advance: 1\n    back: 0\n    lost: 0\n    no_decision: 0",
    ).replace(
        "    advance: 0.6\n    back: 0.2\n    lost: 0.15\n    no_decision: 0.05",
        "    advance: 0\n    back: 1\n    lost: 0\n    no_decision: 0",
    )
    problems = problems_of(text, playbooks=playbooks_with(TINY))
    assert {p.code for p in problems} == {"no-way-out"}
    assert {p.location.path for p in problems} == {("stages", "first"), ("stages", "second")}


def test_moves_past_either_end_need_a_target() -> None:
    text = TWO_STAGES.replace("    back: 0\n", "    back: 0.05\n").replace(
        "lost: 0.1\n", "lost: 0.05\n"
    )
    problems = problems_of(text, playbooks=playbooks_with(TINY))
    line, column = where(text, "back: 0.05")
    assert located(problems) == {(line, column + 6, "no-target")}


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("title: [unclosed\n", "yaml-syntax", 2, 1),
        ("- just\n- a list\n", "not-a-mapping", 1, 1),
        ("title: x\ntitle: y\nplaybook: tiny\n", "duplicate-key", 2, 1),
        (TWO_STAGES.replace("playbook: tiny", "playbook: nowhere"), "unknown-reference", 2, 11),
        (TWO_STAGES.replace("lost: 0.1\n", "lost: lots\n"), "wrong-type", 12, 11),
        (TWO_STAGES.replace("no_decision: 0.05", "no_decision: 1.5"), "wrong-value", 20, 18),
    ],
)
def test_file_level_problems(text: str, code: str, line: int, column: int) -> None:
    problems = problems_of(text, playbooks=playbooks_with(TINY))
    assert (line, column, code) in located(problems)


BASE = TWO_STAGES


def test_extends_follows_a_relative_path_and_locates_problems_in_each_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    child = tmp_path / "designs" / "child.yaml"
    child.parent.mkdir()
    child.write_text(
        "extends: ../base.yaml\ntitle: Child\nstages:\n  second: {back: 0.1}\n", encoding="utf-8"
    )
    scenario = load_scenario(child, playbooks=playbooks_with(TINY))
    second = scenario.stages["second"]
    assert scenario.title == "Child"
    # advance, lost and no decision share the 0.9 left in the proportions 0.6 : 0.15 : 0.05
    assert second.back == 0.1
    assert second.advance == pytest.approx(0.9 * 0.6 / 0.8)
    assert second.no_decision == pytest.approx(0.9 * 0.05 / 0.8)

    (tmp_path / "base.yaml").write_text(BASE.replace("lost: 0.1\n", "lost: -1\n"), "utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child, playbooks=playbooks_with(TINY))
    files = {(Path(p.file).name, p.code) for p in caught.value.problems}
    assert files == {("base.yaml", "negative-value"), ("child.yaml", "unknown-reference")}


def test_extends_problems(tmp_path: Path) -> None:
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("extends: two.yaml\n", encoding="utf-8")
    two.write_text("extends: one.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(one, playbooks=playbooks_with(TINY))
    assert "extends-cycle" in {p.code for p in caught.value.problems}

    lonely = tmp_path / "lonely.yaml"
    lonely.write_text("title: x\nextends: missing.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(lonely, playbooks=playbooks_with(TINY))
    assert located(caught.value.problems) == {(2, 10, "unknown-reference")}

    both = tmp_path / "both.yaml"
    both.write_text("extends: one.yaml\nbase: fitted\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(both, playbooks=playbooks_with(TINY))
    assert located(caught.value.problems) == {(2, 1, "wrong-value")}

    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "absent.yaml")
    assert [p.code for p in caught.value.problems] == ["unreadable-file"]


def test_override_sums_that_cannot_work_are_located() -> None:
    base = load_scenario_text(BASE, playbooks=playbooks_with(TINY))

    def fitted(key: str) -> Scenario:
        return base

    text = "base: fitted\nplaybook: tiny\nstages:\n  first: {advance: 0.95, lost: 0.1}\n"
    problems = problems_of(text, fitted=fitted, playbooks=playbooks_with(TINY))
    assert located(problems) == {(4, 3, "probability-sum")}
    assert "sum to 1.05, more than 1" in problems[0].message

    text = (
        "base: fitted\nplaybook: tiny\nstages:\n  first: {advance: 0.5, lost: 0, no_decision: 0}\n"
    )
    problems = problems_of(text, fitted=fitted, playbooks=playbooks_with(TINY))
    assert problems[0].code == "probability-sum" and "set them here" in problems[0].message


def test_base_fitted_uses_the_workspace_fit_and_needs_one() -> None:
    base = load_scenario_text(BASE, playbooks=playbooks_with(TINY))
    asked: list[str] = []

    def fitted(key: str) -> Scenario:
        asked.append(key)
        return base

    text = (
        "base: fitted\nplaybook: tiny\ntitle: Faster second\n"
        "stages:\n  second:\n    days: {p50: 2, p90: 3}\n"
    )
    scenario = load_scenario_text(text, fitted=fitted, playbooks=playbooks_with(TINY))
    assert asked == ["tiny"]
    assert scenario.stages["second"].days.p50 == 2
    assert scenario.stages["first"] == base.stages["first"]

    problems = problems_of(text, playbooks=playbooks_with(TINY))
    assert located(problems) == {(1, 7, "no-workspace")}

    def no_history(key: str) -> Scenario:
        raise InvalidInput("no deal has left a stage yet", where="playbook")

    problems = problems_of(text, fitted=no_history, playbooks=playbooks_with(TINY))
    assert problems[0].code == "no-workspace" and "no deal has left" in problems[0].message
    problems = problems_of(text.replace("fitted", "latest"), playbooks=playbooks_with(TINY))
    assert located(problems) == {(1, 7, "unknown-reference")}
    problems = problems_of(text.replace("playbook: tiny\n", ""), fitted=fitted)
    assert located(problems) == {(1, 1, "missing-field")}


def test_scenario_error_is_a_playbook_error_for_the_edges() -> None:
    problems = problems_of("[]\n")
    assert isinstance(ScenarioError(problems), PlaybookError)


def test_written_yaml_loads_back_to_the_same_design() -> None:
    base = load_scenario(scenario_path("buyer-journey"))
    text = scenario_yaml(base, header="line one\n\nline three")
    assert text.startswith("# line one\n#\n# line three\n")
    assert load_scenario_text(text) == base


def test_written_yaml_keeps_probabilities_summing_to_one() -> None:
    thirds = TWO_STAGES.replace(
        "    advance: 0.8\n    back: 0\n    lost: 0.1\n    no_decision: 0.1",
        "    advance: 0.3333333\n    back: 0\n    lost: 0.3333333\n    no_decision: 0.3333334",
    )
    scenario = load_scenario_text(thirds, playbooks=playbooks_with(TINY))
    again = load_scenario_text(scenario_yaml(scenario), playbooks=playbooks_with(TINY))
    first = again.stages["first"]
    assert first.advance + first.back + first.lost + first.no_decision == pytest.approx(1, abs=1e-9)
    assert first.lost == pytest.approx(1 / 3, abs=1e-4)


def test_every_scenario_keyword_and_problem_code_is_documented() -> None:
    from dealgraph.planning import scenario as models
    from dealgraph.planning.scenario_load import PROBLEM_CODES
    from tests.conftest import REPO_ROOT

    text = (REPO_ROOT / "docs" / "planning.md").read_text(encoding="utf-8")
    section = text[text.index("## Simulation") :]
    keywords = (
        {
            name
            for model in (models.Scenario, models.StageSpec, models.Days, models.Value)
            for name in model.model_fields
        }
        | set(models.ChannelCost.model_fields)
        | {"extends", "base"}
    )
    assert not [k for k in sorted(keywords) if f"`{k}`" not in section]
    assert not [c for c in sorted(PROBLEM_CODES) if f"`{c}`" not in section]


def test_within_keeps_extends_inside_one_folder(tmp_path: Path) -> None:
    shipped = shipped_scenarios()["buyer-journey"].parent
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    for target in (str(secret), "../playbooks/buyer-journey.yaml"):
        [problem] = problems_of(f"extends: {target}\n", base_dir=shipped, within=shipped)
        assert (problem.code, problem.location.line, problem.location.column) == (
            "unknown-reference",
            1,
            10,
        )
        assert "only name a shipped scenario" in problem.message
        assert "hunter2" not in problem.message
    [missing] = problems_of("extends: gone.yaml\n", base_dir=shipped, within=shipped)
    assert missing.message == "`extends`: no scenario file at 'gone.yaml'"
    # a shipped file that extends another shipped file stays inside the folder
    chained = load_scenario_text(
        "extends: buyer-journey-more-meetings.yaml\ntitle: Chained\n",
        base_dir=shipped,
        within=shipped,
    )
    redesign = load_scenario(shipped_scenarios()["buyer-journey-more-meetings"])
    assert chained.stages == redesign.stages
    assert chained.title == "Chained"
