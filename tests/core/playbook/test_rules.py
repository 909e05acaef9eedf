"""CEL rules: compile-time checks (syntax, unknown fields, boolean type) and evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealgraph.core.playbook.context_fields import CONTEXT_FIELDS, example_context
from dealgraph.core.playbook.rules import CompiledRule, RuleError, compile_rule, unknown_fields


def test_a_rule_compiles_and_evaluates_on_a_context() -> None:
    rule = compile_rule("days_in_stage > 30 && engaged_count < 2")
    assert isinstance(rule, CompiledRule)
    assert rule.source == "days_in_stage > 30 && engaged_count < 2"
    assert rule.evaluate({"days_in_stage": 45, "engaged_count": 1}) is True
    assert rule.evaluate({"days_in_stage": 10, "engaged_count": 1}) is False


def test_list_fields_and_macros_work() -> None:
    rule = compile_rule('engaged_roles.exists(r, r == "champion") && "problem_agreed" in evidence')
    context = example_context() | {"engaged_roles": ["champion"], "evidence": ["problem_agreed"]}
    assert rule.evaluate(context) is True
    assert rule.evaluate(context | {"evidence": []}) is False


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("stage == ", 10),
        ("days_in_stage > 20 &&& opponents > 0", 22),
        ('stage == "x" && (days_in_stage > 2', 35),
    ],
)
def test_syntax_errors_carry_the_column_inside_the_rule(source: str, column: int) -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule(source)
    assert caught.value.code == "rule-syntax"
    assert caught.value.column == column
    assert caught.value.line == 1
    assert f"column {column}" in caught.value.message


def test_syntax_error_on_a_later_line_reports_that_line() -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule('stage == "x" &&\n  days_in_stage >> 3')
    assert (caught.value.line, caught.value.column) == (2, 18)


def test_unknown_field_is_named_with_close_matches_and_position() -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule("opponents > 0 && days_in_stag > 3")
    error = caught.value
    assert error.code == "rule-unknown-field"
    assert "'days_in_stag'" in error.message
    assert "days_in_stage" in error.hints
    assert error.column == 18


def test_comprehension_variables_are_not_unknown_fields() -> None:
    source = (
        'roles.exists(r, r == "champion") && evidence.all(e, e != "")'
        " && engaged_levels.map(l, l * 2).filter(x, x > 4).size() >= 0"
        ' && missing_criteria.exists_one(m, m == "a") || true'
    )
    assert unknown_fields(source) == []
    assert compile_rule(source).evaluate(example_context()) is True


def test_unknown_fields_lists_names_left_to_right_and_ignores_strings() -> None:
    assert unknown_fields('zeta > 1 && stage == "alpha" && alpha > 2') == ["zeta", "alpha"]


def test_a_rule_that_is_not_boolean_is_refused() -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule("days_in_stage + 1")
    assert caught.value.code == "rule-type"
    assert "int" in caught.value.message


def test_a_rule_with_mismatched_types_is_refused() -> None:
    with pytest.raises(RuleError) as caught:
        compile_rule("stage + 1 > 2")
    assert caught.value.code == "rule-type"


def test_empty_rule_is_refused() -> None:
    with pytest.raises(RuleError, match="empty"):
        compile_rule("   ")


def test_runtime_failure_on_a_real_context_raises_rule_error() -> None:
    rule = compile_rule("days_in_stage > 3")
    with pytest.raises(RuleError) as caught:
        rule.evaluate({})  # a context missing the field
    assert caught.value.code == "rule-type"
    assert "days_in_stage" in caught.value.message


def test_a_rule_giving_a_non_boolean_on_a_real_context_raises() -> None:
    # Boolean on the example context (its stage is define_problem), an int on another.
    rule = compile_rule('stage == "define_problem" ? true : 1')
    assert rule.evaluate(example_context()) is True
    with pytest.raises(RuleError) as caught:
        rule.evaluate(example_context() | {"stage": "choose"})
    assert caught.value.message == "rule gives an int, not a boolean"


@pytest.mark.parametrize("name", sorted(CONTEXT_FIELDS))
def test_every_context_field_can_be_used_in_a_rule(name: str) -> None:
    assert compile_rule(f"{name} == {name}").evaluate(example_context()) is True


@given(st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True))
def test_any_name_outside_the_context_is_reported(name: str) -> None:
    keywords = {"true", "false", "null", "in", "as", "break", "const", "continue", "else"}
    keywords |= {"for", "function", "if", "import", "let", "loop", "package", "namespace"}
    keywords |= {"return", "var", "void", "while"}
    if name in CONTEXT_FIELDS or name in keywords:
        return
    assert unknown_fields(f"{name} == 1") == [name]
