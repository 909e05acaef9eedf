"""The deal context: exactly the documented fields, CEL-friendly types, hand-computed values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dealgraph.core.context import deal_context
from dealgraph.core.engagement import engaged_ids, last_reply, last_touch
from dealgraph.core.enums import Direction
from dealgraph.core.model import CloseDateChange
from dealgraph.core.playbook.context_fields import CONTEXT_FIELDS
from tests.core.gps_fixtures import AS_OF, at, healthy_record, interaction, small_playbook

CEL_TYPES: dict[str, type] = {"string": str, "int": int, "double": float}


def _matches(value: object, cel_type: str) -> bool:
    if cel_type.startswith("list(") and isinstance(value, list):
        inner = CEL_TYPES[cel_type[5:-1]]
        return all(type(item) is inner for item in value)
    return type(value) is CEL_TYPES.get(cel_type, type(None))


def test_context_has_exactly_the_documented_fields_with_their_types() -> None:
    context = deal_context(healthy_record(), small_playbook(), as_of=AS_OF)

    assert set(context) == set(CONTEXT_FIELDS)
    wrong = {
        name: (type(value).__name__, CONTEXT_FIELDS[name].cel_type)
        for name, value in context.items()
        if not _matches(value, CONTEXT_FIELDS[name].cel_type)
    }
    assert wrong == {}


def test_context_values_are_the_hand_computed_ones() -> None:
    context = deal_context(healthy_record(), small_playbook(), as_of=AS_OF)

    assert context == {
        "stage": "define",
        "stage_index": 2,
        "stage_count": 5,
        "days_in_stage": 9,  # 20 Feb -> 1 Mar 2025
        "deal_age_days": 59,
        "days_to_close": 45,  # 1 Mar -> 15 Apr
        "value": 50000.0,
        "status": "open",
        "stakeholder_count": 4,
        "engaged_count": 4,
        "roles": ["champion", "economic_buyer", "evaluator", "user"],
        "engaged_roles": ["champion", "economic_buyer", "evaluator", "user"],
        "engaged_levels": [2, 3, 3, 5],
        "max_engaged_level": 5,
        "supporters": 3,
        "neutrals": 1,
        "opponents": 0,
        "interactions_total": 10,
        "interactions_last_30d": 5,  # 2, 8, 14, 20, 26 Feb
        "days_since_last_interaction": 2,  # 26 Feb 10:00 -> 1 Mar 00:00
        "days_since_last_inbound": 2,
        "cadence_baseline": round(5 / (29 / 30), 4),  # 5 touches in the 29 days before 30 Jan
        "evidence": ["eb_met", "pain_named", "team_named"],
        "missing_criteria": ["problem_agreed"],
        "open_decisions": 3,
        "blocked_decisions": 1,
        "decided_decisions": 1,
        "open_decision_keys": ["agree_problem", "fund_change", "pick_vendor"],
        "max_open_decision_level": 5,
        "close_date_slips": 0,
        "problems_total": 2,
        "problems_confirmed": 1,
        "plan_items_open": 2,
        "plan_items_overdue": 1,
    }


def test_outbound_only_touches_do_not_engage_and_counts_follow() -> None:
    record = healthy_record()
    record.interactions = [
        interaction(1, at(2, 25), [1, 2], direction=Direction.OUTBOUND),
        interaction(2, at(2, 27), [3], direction=Direction.INBOUND),
    ]

    context = deal_context(record, small_playbook(), as_of=AS_OF)

    assert engaged_ids(record) == {3}
    assert context["engaged_count"] == 1
    assert context["engaged_roles"] == ["economic_buyer"]
    assert context["max_engaged_level"] == 5
    assert context["days_since_last_interaction"] == 2
    assert context["cadence_baseline"] == 0.0


def test_no_interactions_gives_deal_age_for_days_since() -> None:
    record = healthy_record()
    record.interactions = []

    context = deal_context(record, small_playbook(), as_of=AS_OF)

    assert context["days_since_last_interaction"] == 59
    assert context["days_since_last_inbound"] == 59
    assert context["engaged_levels"] == []
    assert context["max_engaged_level"] == 0


def test_close_date_slips_count_only_moves_later() -> None:
    record = healthy_record()
    record.close_date_changes = [
        CloseDateChange(changed_at=at(1, 5), from_date=date(2025, 3, 1), to_date=date(2025, 3, 20)),
        CloseDateChange(
            changed_at=at(1, 6), from_date=date(2025, 3, 20), to_date=date(2025, 3, 10)
        ),
        CloseDateChange(changed_at=at(1, 7), from_date=None, to_date=date(2025, 4, 1)),
        CloseDateChange(
            changed_at=at(1, 8), from_date=date(2025, 3, 10), to_date=date(2025, 4, 15)
        ),
    ]

    assert deal_context(record, small_playbook(), as_of=AS_OF)["close_date_slips"] == 2


def test_stage_falls_back_to_the_evidence_when_none_is_stored() -> None:
    record = healthy_record()
    record.deal.stage = None
    record.deal.stage_entered_at = None
    record.stage_changes = []

    context = deal_context(record, small_playbook(), as_of=AS_OF)

    assert context["stage"] == "define"
    assert context["days_in_stage"] == 59  # entered at creation for want of any history


def test_days_in_stage_reads_the_latest_change_into_the_stage() -> None:
    record = healthy_record()
    record.deal.stage_entered_at = None

    context = deal_context(record, small_playbook(), as_of=AS_OF + timedelta(hours=23))

    assert context["days_in_stage"] == 9


def test_last_touch_and_last_reply() -> None:
    record = healthy_record()
    record.interactions.append(interaction(200, at(2, 28), [4], direction=Direction.OUTBOUND))

    touch = last_touch(record, 4)
    reply = last_reply(record)

    assert touch is not None and touch.id == 200
    assert reply is not None and reply.id == 109
    assert last_touch(record, 99) is None


@pytest.mark.parametrize("field", sorted(CONTEXT_FIELDS))
def test_example_values_have_the_declared_types(field: str) -> None:
    spec = CONTEXT_FIELDS[field]
    assert _matches(spec.example, spec.cel_type), (field, spec.example, spec.cel_type)
