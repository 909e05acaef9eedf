"""Helpers for the demo tests: records per deal and the consistency rules, as problem lists.

The stage rule the generator keeps (and ``check_stage_history`` enforces):

* stage changes of a deal chain: the first leaves the playbook's start position, each
  next one leaves the stage the previous one entered;
* a forward change enters exactly ``playbook.position`` of the evidence recorded by
  interactions up to and including the change's interaction, except while the deal is
  behind that position after a move back: it then re-walks the stages, and a forward
  change may enter any stage up to the position (entering the position catches it up);
* a change to an earlier stage is a regression (a setback); the deal's stage is then
  that earlier stage until a later change moves it on;
* ``deal.stage`` equals ``playbook.position(all evidence)`` unless the deal is behind it
  after a regression, in which case it equals the last change's ``to_stage`` and lies
  before the position.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dealgraph.core.model import (
    Account,
    CloseDateChange,
    Deal,
    DealRecord,
    Decision,
    Evidence,
    Interaction,
    Offering,
    PlanItem,
    ProblemItem,
    StageChange,
    Stakeholder,
)
from dealgraph.core.playbook.schema import Playbook
from dealgraph.io import native_json

MODELS: dict[str, type[Any]] = {
    "accounts": Account,
    "offerings": Offering,
    "deals": Deal,
    "stakeholders": Stakeholder,
    "decisions": Decision,
    "interactions": Interaction,
    "evidence": Evidence,
    "plan_items": PlanItem,
    "stage_changes": StageChange,
    "close_date_changes": CloseDateChange,
    "problems": ProblemItem,
}


def deal_records(document: dict[str, Any]) -> dict[int, DealRecord]:
    """Every deal of the document as a validated DealRecord, by deal id."""
    return {record.deal.id or 0: record for record in native_json.deal_records(document)}


def _index(playbook: Playbook, stage: str) -> int:
    return playbook.journey_order.index(stage)


def check_stage_history(record: DealRecord, playbook: Playbook) -> list[str]:
    """Problems with a deal's stage history against the rules in this module's docstring."""
    deal = record.deal
    where = f"deal {deal.id}"
    problems: list[str] = []
    by_interaction: dict[int, list[str]] = defaultdict(list)
    for evidence in record.evidence:
        assert evidence.interaction_id is not None
        by_interaction[evidence.interaction_id].append(evidence.criterion)
    changes = sorted(record.stage_changes, key=lambda c: (c.changed_at, c.id or 0))
    expected_from = playbook.position(set())
    behind = False
    for change in changes:
        if change.from_stage != expected_from:
            problems.append(f"{where}: change {change.id} leaves {change.from_stage}")
        assert change.from_stage is not None and change.interaction_id is not None
        seen = {c for i, keys in by_interaction.items() if i <= change.interaction_id for c in keys}
        position = playbook.position(seen)
        target = _index(playbook, change.to_stage)
        if target < _index(playbook, change.from_stage):
            behind = True
        elif behind and target < _index(playbook, position):
            pass  # re-walking towards the position after a move back
        elif change.to_stage != position:
            problems.append(
                f"{where}: change {change.id} enters {change.to_stage}, position is {position}"
            )
        else:
            behind = False
        expected_from = change.to_stage
    everything = {e.criterion for e in record.evidence}
    position = playbook.position(everything)
    expected = expected_from if behind else position
    if deal.stage != expected:
        problems.append(f"{where}: stage {deal.stage}, expected {expected}")
    if behind and _index(playbook, deal.stage) >= _index(playbook, position):
        problems.append(f"{where}: stage {deal.stage} is not behind position {position}")
    entered = changes[-1].changed_at if changes else deal.created_at
    if deal.stage_entered_at != entered:
        problems.append(f"{where}: stage_entered_at {deal.stage_entered_at} != {entered}")
    won = deal.stage in playbook.won_stages
    if won != (deal.status == "won"):
        problems.append(f"{where}: status {deal.status} in stage {deal.stage}")
    if deal.status == "won" and changes and deal.closed_at != changes[-1].changed_at:
        problems.append(f"{where}: won at {deal.closed_at}, entered won stage {entered}")
    return problems


def check_links(record: DealRecord) -> list[str]:
    """Problems with references inside a deal: people, decisions, plan items, evidence."""
    deal = record.deal
    where = f"deal {deal.id}"
    problems: list[str] = []
    people = {s.id: s for s in record.stakeholders}
    decisions = {d.id for d in record.decisions}
    plan = {p.id for p in record.plan}
    interactions = {i.id: i for i in record.interactions}
    for person in record.stakeholders:
        boss, hops = person.reports_to, 0
        while boss is not None and hops <= len(people):
            if boss not in people:
                problems.append(f"{where}: {person.id} reports to a stranger {boss}")
                break
            boss, hops = people[boss].reports_to, hops + 1
        if hops > len(people):
            problems.append(f"{where}: reporting cycle through {person.id}")
    for interaction in record.interactions:
        for pid in interaction.participants:
            person = people.get(pid)
            if person is None:
                problems.append(f"{where}: interaction {interaction.id} meets stranger {pid}")
            elif person.added_at is not None and person.added_at > interaction.occurred_at:
                problems.append(f"{where}: {pid} met before joining ({interaction.id})")
        if interaction.evidence and interaction.direction == "outbound":
            problems.append(f"{where}: unanswered interaction {interaction.id} gave evidence")
    for evidence in record.evidence:
        source = interactions.get(evidence.interaction_id or -1)
        if source is None or evidence.criterion not in source.evidence:
            problems.append(f"{where}: evidence {evidence.id} not on its interaction")
    named = sorted(c for i in record.interactions for c in i.evidence)
    if named != sorted(e.criterion for e in record.evidence):
        problems.append(f"{where}: interaction evidence and Evidence rows differ")
    for decision in record.decisions:
        if not set(decision.requires) <= decisions or not set(decision.owners) <= set(people):
            problems.append(f"{where}: decision {decision.id} links outside the deal")
        if (decision.status == "decided") != (decision.decided_at is not None):
            problems.append(f"{where}: decision {decision.id} decided_at vs status")
        for required in record.decisions:
            if (
                required.id in decision.requires
                and decision.decided_at is not None
                and required.decided_at is not None
                and required.decided_at > decision.decided_at
            ):
                problems.append(f"{where}: decision {decision.id} made before {required.id}")
    for item in record.plan:
        if not set(item.depends_on) <= plan or any(d >= (item.id or 0) for d in item.depends_on):
            problems.append(f"{where}: plan item {item.id} depends on {item.depends_on}")
        if item.decision_id is not None and item.decision_id not in decisions:
            problems.append(f"{where}: plan item {item.id} links decision {item.decision_id}")
        if item.done != (item.done_at is not None):
            problems.append(f"{where}: plan item {item.id} done vs done_at")
    for problem in record.problems:
        if (problem.confirmed_by is None) != (problem.confirmed_at is None):
            problems.append(f"{where}: problem {problem.id} confirmation incomplete")
        if problem.confirmed_by is not None and problem.confirmed_by not in people:
            problems.append(f"{where}: problem {problem.id} confirmed by a stranger")
        if not set(problem.decisions) <= decisions:
            problems.append(f"{where}: problem {problem.id} drives unknown decisions")
    slips = sorted(record.close_date_changes, key=lambda c: c.changed_at)
    if slips and deal.expected_close != slips[-1].to_date:
        problems.append(f"{where}: expected_close is not the last close-date change")
    for before, after in zip(slips, slips[1:], strict=False):
        if before.to_date != after.from_date:
            problems.append(f"{where}: close-date changes do not chain")
    return problems
