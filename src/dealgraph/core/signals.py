"""Signals on an open deal: the built-in library plus the playbook's own CEL rules.

Example:
    >>> signals = evaluate_signals(record, playbook, History(), as_of=now)  # doctest: +SKIP
    >>> [(s.key, s.severity) for s in signals]  # doctest: +SKIP
    [('ghosted', 'warning'), ('no_power', 'warning')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache

from dealgraph.core.enums import DealStatus
from dealgraph.core.history import History
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.rules import CompiledRule, RuleError, compile_rule
from dealgraph.core.playbook.schema import Playbook, SignalRule
from dealgraph.core.signals_base import (
    SEVERITY_RANK,
    Signal,
    SignalEvidence,
    SignalFacts,
)
from dealgraph.core.signals_builtin import BUILTIN_SIGNALS

DEFAULT_MIN_HISTORY = 30
"""Deals through a stage before its history (not the playbook) sets the stall threshold."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class RuleFailure(Exception):
    """A playbook rule could not be evaluated on a deal (compile error, runtime error, non-bool)."""


@lru_cache(maxsize=1024)
def _compiled(source: str) -> CompiledRule:
    return compile_rule(source)


def rule_holds(source: str, context: Mapping[str, object]) -> bool:
    """Evaluate a CEL rule on a deal context; RuleFailure says why it could not be."""
    try:
        result = _compiled(source).evaluate(context)
    except RuleError as error:
        raise RuleFailure(error.message) from error
    if not isinstance(result, bool):
        raise RuleFailure(f"rule gave {type(result).__name__}, not a boolean")
    return result


def fill_placeholders(text: str, context: Mapping[str, object]) -> str:
    """Replace ``{field}`` in a playbook message with the context value; others stay as they are."""
    return _PLACEHOLDER.sub(
        lambda m: str(context[m.group(1)]) if m.group(1) in context else m.group(0), text
    )


def playbook_signal(rule: SignalRule, context: Mapping[str, object]) -> Signal | None:
    """The playbook's signal when its rule holds; an info signal when the rule fails."""
    title = rule.key.replace("_", " ").capitalize()
    try:
        holds = rule_holds(rule.when, context)
    except RuleFailure as failure:
        return Signal(
            key=rule.key,
            title=title,
            severity="info",
            message=f"Playbook rule '{rule.key}' could not be evaluated: {failure}",
            advice="Fix the rule in the playbook; `dealgraph playbook validate` checks it.",
            source="playbook",
        )
    if not holds:
        return None
    # The numbers a rule fired on are the numeric context fields it names.
    numbers = {
        name: value
        for name in sorted(set(_IDENTIFIER.findall(rule.when)))
        if name in context
        and isinstance(value := context[name], int | float)
        and not isinstance(value, bool)
    }
    return Signal(
        key=rule.key,
        title=title,
        severity=rule.severity,
        message=fill_placeholders(rule.message, context),
        advice=fill_placeholders(rule.advice, context),
        source="playbook",
        evidence=SignalEvidence(numbers=numbers),
    )


def sort_signals(signals: list[Signal]) -> list[Signal]:
    """Critical first, then warning, then info; by key within a severity."""
    return sorted(signals, key=lambda s: (SEVERITY_RANK[s.severity], s.key, s.source))


def evaluate_signals(
    record: DealRecord,
    playbook: Playbook,
    history: History,
    *,
    as_of: datetime,
    min_history: int = DEFAULT_MIN_HISTORY,
) -> list[Signal]:
    """Every signal firing on an open deal at ``as_of``, sorted by severity then key.

    Closed deals (won, lost, no decision) get no signals.
    """
    if record.deal.status != DealStatus.OPEN:
        return []
    facts = SignalFacts.of(record, playbook, history, as_of=as_of, min_history=min_history)
    found: list[Signal] = []
    for spec in BUILTIN_SIGNALS:
        signal = spec.check(facts, spec)
        if signal is not None:
            found.append(signal)
    for rule in playbook.signals:
        signal = playbook_signal(rule, facts.context)
        if signal is not None:
            found.append(signal)
    return sort_signals(found)


__all__ = [
    "BUILTIN_SIGNALS",
    "RuleFailure",
    "Signal",
    "SignalEvidence",
    "evaluate_signals",
    "rule_holds",
]
