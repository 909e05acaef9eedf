"""The playbook language: schema, loader with located problems, CEL rules, diagrams."""

from dealgraph.core.playbook.loader import (
    get_playbook,
    load_playbook,
    load_playbook_text,
    shipped_playbooks,
    validate_playbook_file,
)
from dealgraph.core.playbook.rules import CompiledRule, RuleError, compile_rule, unknown_fields
from dealgraph.core.playbook.schema import (
    Contingency,
    Criterion,
    DecisionTemplate,
    Duration,
    Play,
    Playbook,
    SignalRule,
    Stage,
)

__all__ = [
    "CompiledRule",
    "Contingency",
    "Criterion",
    "DecisionTemplate",
    "Duration",
    "Play",
    "Playbook",
    "RuleError",
    "SignalRule",
    "Stage",
    "compile_rule",
    "get_playbook",
    "load_playbook",
    "load_playbook_text",
    "shipped_playbooks",
    "unknown_fields",
    "validate_playbook_file",
]
