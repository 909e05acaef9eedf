"""The playbook-language reference keeps up with the code: problem codes and rule examples."""

from __future__ import annotations

import re

from dealgraph.core.playbook.context_fields import example_context
from dealgraph.core.playbook.loader import PROBLEM_CODES
from dealgraph.core.playbook.rules import compile_rule
from tests.conftest import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "playbook-language.md").read_text(encoding="utf-8")


def test_every_problem_code_is_documented() -> None:
    missing = [code for code in PROBLEM_CODES if f"| `{code}` |" not in DOC]
    assert not missing, f"problem codes missing from docs/playbook-language.md: {missing}"


def test_every_boolean_rule_example_in_the_doc_compiles() -> None:
    section = DOC[DOC.index("## Rules (CEL)") : DOC.index("## The deal context")]
    examples = re.findall(r"^\| `(.+?)`(?: or `(.+?)`)? \|", section, flags=re.MULTILINE)
    rules = [rule.replace("\\|", "|") for pair in examples for rule in pair if rule]
    assert len(rules) >= 10
    checked = 0
    for rule in rules:
        if ".map(" in rule and ".size()" not in rule:
            continue  # the map example shows a list-valued expression on purpose
        compiled = compile_rule(rule)
        assert isinstance(compiled.evaluate(example_context()), bool)
        checked += 1
    assert checked == len(rules) - 1


def test_the_small_example_in_the_doc_is_a_valid_playbook() -> None:
    from dealgraph.core.playbook import load_playbook_text

    start = DOC.index("```yaml\n") + len("```yaml\n")
    text = DOC[start : DOC.index("```", start)]
    playbook = load_playbook_text(text, file="docs example")
    assert playbook.key == "tiny"
