"""Playbook rules: CEL expressions over the documented deal context, checked when compiled.

A rule is compiled once (syntax), checked against :data:`CONTEXT_FIELDS` (every name it
reads must be a documented field) and tried on :func:`example_context` (it must give a
boolean). Evaluation never uses Python ``eval``: the ``cel`` package interprets it.

Example:
    >>> rule = compile_rule("days_in_stage > 30 && engaged_count < 2")
    >>> rule.evaluate({"days_in_stage": 45, "engaged_count": 1})
    True
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import cel

from dealgraph.core.playbook.context_fields import CONTEXT_FIELDS, example_context

RuleProblem = Literal["rule-syntax", "rule-unknown-field", "rule-type"]

# CEL macros that bind a comprehension variable as their first argument.
_MACROS = ("all", "exists_one", "exists", "map", "filter")
_BINDER = re.compile(r"\.\s*(?:" + "|".join(_MACROS) + r")\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,")
_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"?|'(?:[^'\\\n]|\\.)*'?")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CEL_POSITION = re.compile(r"<input>:(\d+):(\d+):\s*(.*)")
_EXPECTING = re.compile(r"\s*expecting \{[^}]*\}")


class RuleError(Exception):
    """A rule that cannot be used: bad syntax, an unknown field, or not a boolean.

    Attributes:
        message: what is wrong, in words a playbook author understands.
        column: 1-based column inside the rule text (on ``line``).
        line: 1-based line inside the rule text (rules may span lines).
        code: ``rule-syntax``, ``rule-unknown-field`` or ``rule-type``.
        hints: suggestions such as close field names.
    """

    def __init__(
        self,
        message: str,
        column: int = 1,
        *,
        line: int = 1,
        code: RuleProblem = "rule-syntax",
        hints: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.line = line
        self.code: RuleProblem = code
        self.hints = hints


@dataclass(frozen=True)
class CompiledRule:
    """A checked CEL rule, ready to evaluate on deal contexts."""

    source: str
    _program: cel.Program = field(repr=False, compare=False)

    def evaluate(self, context: Mapping[str, object]) -> bool:
        """True when the rule holds on ``context``; RuleError when CEL fails or gives no bool."""
        try:
            result = self._program.execute(dict(context))
        except Exception as error:  # the cel package raises TypeError/RuntimeError/ValueError
            raise RuleError(
                f"rule could not be evaluated: {_first_sentence(str(error))}", code="rule-type"
            ) from error
        if not isinstance(result, bool):
            raise RuleError(f"rule gives {_cel_type_name(result)}, not a boolean", code="rule-type")
        return result


def compile_rule(source: str) -> CompiledRule:
    """Compile and check a rule; RuleError names the first problem and where it is.

    Example:
        >>> compile_rule("stage == 'choose' && opponents > 0").source
        "stage == 'choose' && opponents > 0"
    """
    if not source.strip():
        raise RuleError("rule is empty", code="rule-syntax")
    try:
        program = cel.compile(source)
    except ValueError as error:
        raise _syntax_error(str(error)) from error
    unknown = _unknown_names(source, program)
    if unknown:
        name = unknown[0]
        line, column = _position_of(source, name)
        close = tuple(difflib.get_close_matches(name, CONTEXT_FIELDS, n=3))
        suggestion = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise RuleError(
            f"rule names unknown context field {name!r}{suggestion}",
            column,
            line=line,
            code="rule-unknown-field",
            hints=close,
        )
    rule = CompiledRule(source=source, _program=program)
    try:
        rule.evaluate(example_context())
    except RuleError as error:
        raise RuleError(error.message, code="rule-type") from error
    return rule


def unknown_fields(source: str) -> list[str]:
    """Names a rule reads that are not deal-context fields (comprehension variables excluded).

    Raises RuleError when the rule does not parse.

    Example:
        >>> unknown_fields("stage == 'x' && roles.exists(r, r == 'champion') && budjet > 0")
        ['budjet']
    """
    try:
        program = cel.compile(source)
    except ValueError as error:
        raise _syntax_error(str(error)) from error
    return _unknown_names(source, program)


def _unknown_names(source: str, program: cel.Program) -> list[str]:
    binders = set(_BINDER.findall(_blank_strings(source)))
    names = [str(name) for name in program.variables()]
    unknown = [n for n in names if n not in CONTEXT_FIELDS and n not in binders]
    # Report in the order they appear in the rule, so the first one is the leftmost.
    return sorted(unknown, key=lambda n: _position_of(source, n))


def _syntax_error(text: str) -> RuleError:
    match = _CEL_POSITION.search(text)
    if match is None:
        return RuleError(f"rule does not parse: {_first_line(text)}", code="rule-syntax")
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    detail = _EXPECTING.sub("", detail.removeprefix("Syntax error: ")).strip()
    detail = detail.replace("mismatched input '<EOF>'", "the rule ends too early")
    return RuleError(
        f"rule syntax error at column {column}: {detail}", column, line=line, code="rule-syntax"
    )


def _blank_strings(source: str) -> str:
    """The source with string literals replaced by spaces, keeping every offset."""
    return _STRING.sub(lambda m: " " * len(m.group(0)), source)


def _position_of(source: str, name: str) -> tuple[int, int]:
    """1-based (line, column) of the first free use of ``name`` in the rule (1, 1 if absent)."""
    blanked = _blank_strings(source)
    for match in _IDENTIFIER.finditer(blanked):
        if match.group(0) != name:
            continue
        before = blanked[: match.start()].rstrip()
        if before.endswith("."):  # a field selection like ``x.name``, not a variable
            continue
        line = blanked.count("\n", 0, match.start()) + 1
        column = match.start() - (blanked.rfind("\n", 0, match.start()) + 1) + 1
        return line, column
    return 1, 1


def _first_sentence(text: str) -> str:
    line = _first_line(text)
    head, dot, _ = line.partition(". ")
    return head + ("." if dot else "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _cel_type_name(value: object) -> str:
    names = {int: "an int", float: "a double", str: "a string", list: "a list", dict: "a map"}
    for python_type, name in names.items():
        if isinstance(value, python_type):
            return name
    return "null" if value is None else f"a {type(value).__name__}"
