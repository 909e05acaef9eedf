"""The buyer's decisions on each deal, with their requirements and owners."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from dealgraph.core.model import Decision
from dealgraph.store import records, tables
from dealgraph.store.entities import DECISION


def create_decision(session: Session, *, decision: Decision) -> Decision:
    """Store a new decision (version 1) with its requirements and owners."""
    return records.insert(session, DECISION, decision)


def create_decisions(session: Session, *, decisions: Sequence[Decision]) -> list[Decision]:
    """Store several decisions in order; each may only require ones stored before it."""
    return [records.insert(session, DECISION, d) for d in decisions]


def get_decision(session: Session, *, decision_id: int) -> Decision:
    """One decision; NotFound when absent."""
    return records.fetch(session, DECISION, decision_id)


def list_decisions(session: Session, *, deal_id: int) -> list[Decision]:
    """The decision graph of one deal, by id."""
    return records.select(session, DECISION, where=[tables.decisions.c.deal_id == deal_id])


def update_decision(session: Session, *, decision: Decision, expected_version: int) -> Decision:
    """Write a decision if nobody changed it since ``expected_version``; else Conflict."""
    return records.update(session, DECISION, decision, expected_version=expected_version)


def delete_decision(session: Session, *, decision_id: int) -> None:
    """Remove a decision and every requirement touching it; NotFound when absent."""
    records.delete(session, DECISION, decision_id)
