"""The deal context that playbook rules (CEL) are written against.

Every rule sees these top-level variables and no others. ``dealgraph.core.context``
builds them from a deal; the docs table in ``docs/playbook-language.md`` lists them,
and a test keeps the three in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContextField:
    """One variable of the deal context: its CEL type, an example value and what it means."""

    cel_type: str
    example: object
    description: str


CONTEXT_FIELDS: dict[str, ContextField] = {
    "stage": ContextField("string", "define_problem", "key of the stage the buyer is in"),
    "stage_index": ContextField("int", 2, "0-based position of that stage in journey order"),
    "stage_count": ContextField("int", 9, "number of stages in the playbook"),
    "days_in_stage": ContextField("int", 12, "whole days since the deal entered its stage"),
    "deal_age_days": ContextField("int", 40, "whole days since the deal was created"),
    "days_to_close": ContextField(
        "int", 30, "days until the expected close date (negative when past; 0 when unset)"
    ),
    "value": ContextField("double", 48000.0, "deal value in its currency"),
    "status": ContextField("string", "open", "open, won, lost or no_decision"),
    "stakeholder_count": ContextField("int", 5, "stakeholders on the buying team"),
    "engaged_count": ContextField(
        "int", 3, "stakeholders who took part in an inbound or two-way interaction"
    ),
    "roles": ContextField("list(string)", ["champion", "evaluator"], "roles on the buying team"),
    "engaged_roles": ContextField("list(string)", ["champion"], "roles of engaged stakeholders"),
    "engaged_levels": ContextField("list(int)", [2, 4], "Jaques levels of engaged stakeholders"),
    "max_engaged_level": ContextField("int", 4, "highest level engaged (0 when nobody is)"),
    "supporters": ContextField("int", 2, "stakeholders with a positive stance"),
    "neutrals": ContextField("int", 2, "stakeholders with stance 0"),
    "opponents": ContextField("int", 1, "stakeholders with a negative stance"),
    "interactions_total": ContextField("int", 14, "interactions logged on the deal"),
    "interactions_last_30d": ContextField("int", 3, "interactions in the last 30 days"),
    "days_since_last_interaction": ContextField(
        "int", 6, "days since the last interaction (deal age when there is none)"
    ),
    "days_since_last_inbound": ContextField(
        "int", 9, "days since the buyer last reached out or took part (deal age when never)"
    ),
    "cadence_baseline": ContextField(
        "double", 4.5, "the deal's own interactions per 30 days before the last 30 days"
    ),
    "evidence": ContextField("list(string)", ["problem_agreed"], "criteria evidenced on the deal"),
    "missing_criteria": ContextField(
        "list(string)", ["team_named"], "exit criteria of the current stage not yet evidenced"
    ),
    "open_decisions": ContextField("int", 4, "decisions open, in progress or blocked"),
    "blocked_decisions": ContextField("int", 1, "decisions blocked"),
    "decided_decisions": ContextField("int", 3, "decisions made"),
    "open_decision_keys": ContextField(
        "list(string)", ["agree_budget"], "template keys of the open decisions"
    ),
    "max_open_decision_level": ContextField(
        "int", 5, "highest level any open decision needs (0 when none is open)"
    ),
    "close_date_slips": ContextField("int", 1, "times the expected close date moved later"),
    "problems_total": ContextField("int", 4, "items on the buyer's problem map"),
    "problems_confirmed": ContextField("int", 2, "problem-map items confirmed by a stakeholder"),
    "plan_items_open": ContextField("int", 5, "mutual plan items not done"),
    "plan_items_overdue": ContextField("int", 1, "mutual plan items past due and not done"),
}


def example_context() -> dict[str, object]:
    """A context with every field set to its example value (used to check rules at load)."""
    return {name: field.example for name, field in CONTEXT_FIELDS.items()}
