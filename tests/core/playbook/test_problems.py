"""Every kind of playbook problem, found in a broken file, with its code, line and path."""

from __future__ import annotations

from pathlib import Path

import pytest

from dealgraph.core.playbook import load_playbook, validate_playbook_file
from dealgraph.errors import PlaybookError, Problem

HERE = Path(__file__).parent
BROKEN = HERE / "broken"


def line_of(path: Path, needle: str) -> int:
    """1-based number of the one line of ``path`` that contains ``needle``."""
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text]
    assert len(lines) == 1, f"{needle!r} is on lines {lines} of {path.name}"
    return lines[0]


def column_of(path: Path, needle: str) -> int:
    """1-based column where ``needle`` starts on its line."""
    text = path.read_text().splitlines()[line_of(path, needle) - 1]
    return text.index(needle) + 1


def problems(name: str) -> list[Problem]:
    return validate_playbook_file(BROKEN / name)


def found(name: str) -> set[tuple[str, int, str]]:
    """(code, line, path text) of each problem in a broken file."""
    return {(p.code, p.location.line, p.location.path_text()) for p in problems(name)}


def test_the_base_playbook_of_the_broken_files_is_valid() -> None:
    assert validate_playbook_file(HERE / "base.yaml") == []
    assert load_playbook(HERE / "base.yaml").key == "tiny"


def test_every_broken_file_fails_to_load_with_all_its_problems() -> None:
    for path in sorted(BROKEN.glob("*.yaml")):
        with pytest.raises(PlaybookError) as caught:
            load_playbook(path)
        assert caught.value.problems == validate_playbook_file(path), path.name
        assert caught.value.problems, path.name
        lines = [p.location.line for p in caught.value.problems]
        assert lines == sorted(lines), f"{path.name}: problems not sorted by line"
        assert all(p.file == str(path) for p in caught.value.problems)


def test_unknown_references_of_every_kind() -> None:
    f = BROKEN / "unknown-references.yaml"
    expected = {
        ("unknown-reference", line_of(f, "start: meeet"), "start"),
        ("unknown-reference", line_of(f, "exit: [met, mett]"), "stages -> 0 -> exit -> 1"),
        ("unknown-reference", line_of(f, "next: [by]"), "stages -> 0 -> next -> 0"),
        (
            "unknown-reference",
            line_of(f, "play: intor"),
            "stages -> 0 -> contingencies -> 0 -> play",
        ),
        ("unknown-reference", line_of(f, "stage: greet"), "plays -> 0 -> stage"),
        ("unknown-reference", line_of(f, "outcome: [met, sined]"), "plays -> 0 -> outcome -> 1"),
        ("unknown-reference", line_of(f, "stage: mete"), "decisions -> 0 -> stage"),
        ("unknown-reference", line_of(f, "[budgett]"), "decisions -> 1 -> requires -> 0"),
    }
    assert found("unknown-references.yaml") == expected
    by_path = {p.location.path_text(): p for p in problems("unknown-references.yaml")}
    assert by_path["stages -> 0 -> next -> 0"].hints == ("buy",)
    assert "did you mean 'buy'?" in by_path["stages -> 0 -> next -> 0"].message
    assert by_path["stages -> 0 -> next -> 0"].location.column == column_of(f, "by]")


def test_duplicate_element_keys_in_every_section() -> None:
    f = BROKEN / "duplicate-keys.yaml"
    assert found("duplicate-keys.yaml") == {
        ("duplicate-key", line_of(f, "Meet again") - 1, "stages -> 2 -> key"),
        ("duplicate-key", line_of(f, "Met twice"), "criteria -> 2 -> key"),
        ("duplicate-key", line_of(f, "Intro again"), "plays -> 2 -> key"),
        ("duplicate-key", line_of(f, "Budget again"), "decisions -> 1 -> key"),
        ("duplicate-key", line_of(f, "Very quiet"), "signals -> 1 -> key"),
    }
    stage_problem = next(
        p for p in problems("duplicate-keys.yaml") if p.location.path[0] == "stages"
    )
    assert "'meet'" in stage_problem.message and "stages -> 0" in stage_problem.message


def test_duplicate_keys_in_one_yaml_mapping() -> None:
    f = BROKEN / "duplicate-yaml-key.yaml"
    assert found("duplicate-yaml-key.yaml") == {
        ("duplicate-key", line_of(f, "the same key again"), "stages -> 0 -> level"),
        ("duplicate-key", line_of(f, "titled twice"), "title"),
    }
    level = next(p for p in problems("duplicate-yaml-key.yaml") if p.location.path[-1] == "level")
    assert "first on line 9" in level.message
    assert level.location.column == 5


def test_cycle_in_the_decision_template_is_named() -> None:
    f = BROKEN / "decision-cycle.yaml"
    found_problems = problems("decision-cycle.yaml")
    assert {(p.code, p.location.line, p.location.path_text()) for p in found_problems} == {
        ("decision-cycle", line_of(f, "requires: [approval]"), "decisions -> 0 -> requires -> 0"),
        ("decision-cycle", line_of(f, "requires: [legal]"), "decisions -> 2 -> requires -> 0"),
    }
    messages = [p.message for p in found_problems]
    assert any("budget -> approval -> budget" in m for m in messages)
    assert any("legal -> legal" in m for m in messages)


def test_stage_unreachable_from_the_start() -> None:
    f = BROKEN / "unreachable-stage.yaml"
    assert found("unreachable-stage.yaml") == {
        ("unreachable-stage", line_of(f, "key: detour"), "stages -> 1 -> key"),
    }
    assert "'detour'" in problems("unreachable-stage.yaml")[0].message


def test_stage_with_no_route_to_a_won_end() -> None:
    f = BROKEN / "no-route-to-won.yaml"
    assert found("no-route-to-won.yaml") == {
        ("no-route-to-won", line_of(f, "next: []"), "stages -> 1 -> next"),
    }
    assert "'stall'" in problems("no-route-to-won.yaml")[0].message


def test_playbook_without_any_won_end() -> None:
    f = BROKEN / "no-won-end.yaml"
    assert found("no-won-end.yaml") == {("no-route-to-won", line_of(f, "stages:"), "stages")}
    assert "end: won" in problems("no-won-end.yaml")[0].message


def test_exit_criterion_that_no_play_produces() -> None:
    f = BROKEN / "criterion-not-produced.yaml"
    assert found("criterion-not-produced.yaml") == {
        ("criterion-not-produced", line_of(f, "- paid"), "stages -> 1 -> exit -> 1"),
    }
    problem = problems("criterion-not-produced.yaml")[0]
    assert problem.location.column == column_of(f, "- paid") + 2
    assert "'paid'" in problem.message


def test_rule_syntax_errors_point_inside_the_rule() -> None:
    f = BROKEN / "rule-syntax.yaml"
    located = {p.location.path_text(): p for p in problems("rule-syntax.yaml")}
    assert {p.code for p in located.values()} == {"rule-syntax"}
    plain = located["stages -> 0 -> contingencies -> 0 -> when"]
    assert plain.location.line == line_of(f, "&&& opponents")
    # The third '&' is the character CEL cannot read.
    assert plain.location.column == column_of(f, "&&&") + 2
    quoted = located["stages -> 0 -> contingencies -> 1 -> when"]
    assert quoted.location.line == line_of(f, "(days_in_stage > 3")
    assert quoted.location.column == column_of(f, '3"') + 1  # where the rule ends
    block = located["signals -> 0 -> when"]
    assert block.location.line == line_of(f, "days_in_stage >> 10")
    assert block.location.column == column_of(f, ">> 10") + 1


def test_rule_naming_an_unknown_field() -> None:
    f = BROKEN / "rule-unknown-field.yaml"
    located = {p.location.path_text(): p for p in problems("rule-unknown-field.yaml")}
    assert {p.code for p in located.values()} == {"rule-unknown-field"}
    misspelt = located["stages -> 0 -> contingencies -> 0 -> when"]
    assert (misspelt.location.line, misspelt.location.column) == (
        line_of(f, "days_in_stag >"),
        column_of(f, "days_in_stag >"),
    )
    assert "'days_in_stag'" in misspelt.message and "days_in_stage" in misspelt.hints
    weather = located["signals -> 0 -> when"]
    assert weather.location.line == line_of(f, "weather_forecast ==")
    assert "'weather_forecast'" in weather.message


def test_rule_that_is_not_a_boolean() -> None:
    f = BROKEN / "rule-type.yaml"
    assert found("rule-type.yaml") == {
        ("rule-type", line_of(f, "days_in_stage + engaged_count"), "signals -> 0 -> when"),
        ("rule-type", line_of(f, "stage > 3"), "signals -> 1 -> when"),
    }


def test_levels_outside_one_to_seven() -> None:
    f = BROKEN / "level-range.yaml"
    assert found("level-range.yaml") == {
        ("level-range", line_of(f, "level: 0"), "stages -> 0 -> level"),
        ("level-range", line_of(f, "level: 8"), "decisions -> 0 -> level"),
    }
    assert all("1 to 7" in p.message for p in problems("level-range.yaml"))


def test_missing_required_fields() -> None:
    f = BROKEN / "missing-field.yaml"
    assert found("missing-field.yaml") == {
        ("missing-field", 1, "title"),
        ("missing-field", line_of(f, "- key: meet"), "stages -> 0 -> title"),
        ("missing-field", line_of(f, "{p50: 5}"), "stages -> 0 -> duration -> p90"),
    }


def test_mistyped_fields() -> None:
    f = BROKEN / "wrong-type.yaml"
    assert found("wrong-type.yaml") == {
        ("wrong-type", line_of(f, "level: high"), "stages -> 0 -> level"),
        ("wrong-type", line_of(f, "next: buy"), "stages -> 0 -> next"),
        ("wrong-type", line_of(f, "p50: soon"), "stages -> 1 -> duration -> p50"),
        ("wrong-value", line_of(f, "fax"), "plays -> 0 -> channels -> 1"),
    }
    by_path = {p.location.path_text(): p for p in problems("wrong-type.yaml")}
    # A bare string is not accepted where a list is needed; the message shows the fix.
    assert "next: [buy]" in by_path["stages -> 0 -> next"].message
    assert "'high'" in by_path["stages -> 0 -> level"].message


def test_unknown_field_suggests_the_right_one() -> None:
    f = BROKEN / "unknown-field.yaml"
    found_problems = problems("unknown-field.yaml")
    unknown = [p for p in found_problems if p.code == "unknown-field"]
    assert [(p.location.line, p.location.path_text()) for p in unknown] == [
        (line_of(f, "nxet:"), "stages -> 0 -> nxet")
    ]
    assert "`next`" in unknown[0].message


def test_top_level_must_be_a_mapping() -> None:
    assert found("not-a-mapping.yaml") == {("not-a-mapping", 1, "")}
    assert "got a list" in problems("not-a-mapping.yaml")[0].message


def test_yaml_syntax_error_is_located() -> None:
    f = BROKEN / "yaml-syntax.yaml"
    found_problems = problems("yaml-syntax.yaml")
    assert [(p.code, p.location.line) for p in found_problems] == [
        ("yaml-syntax", line_of(f, "duration:"))
    ]
    assert "YAML syntax error" in found_problems[0].message


def test_problem_text_names_file_line_column_and_path() -> None:
    f = BROKEN / "level-range.yaml"
    text = str(problems("level-range.yaml")[0])
    column = column_of(f, "level: 0") + len("level: ")
    assert text.startswith(f"{f}:{line_of(f, 'level: 0')}:{column}: ")
    assert text.endswith("(at stages -> 0 -> level)")


def test_a_playbook_signal_may_not_reuse_a_builtin_key() -> None:
    f = BROKEN / "builtin-signal-key.yaml"
    assert found("builtin-signal-key.yaml") == {
        ("builtin-signal-key", line_of(f, "key: ghosted"), "signals -> 0 -> key")
    }
    (problem,) = problems("builtin-signal-key.yaml")
    assert "built-in signal 'Ghosted'" in problem.message
    assert problem.location.column == column_of(f, "ghosted")
