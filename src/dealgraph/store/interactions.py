"""Interactions, evidence and the deal's history (stage and close-date changes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dealgraph.core.model import CloseDateChange, Evidence, Interaction, StageChange
from dealgraph.store import records, tables
from dealgraph.store.entities import CLOSE_DATE_CHANGE, EVIDENCE, INTERACTION, STAGE_CHANGE


def create_interaction(session: Session, *, interaction: Interaction) -> Interaction:
    """Store a new interaction with its participants."""
    return records.insert(session, INTERACTION, interaction)


def get_interaction(session: Session, *, interaction_id: int) -> Interaction:
    """One interaction; NotFound when absent."""
    return records.fetch(session, INTERACTION, interaction_id)


def list_interactions(session: Session, *, deal_id: int) -> list[Interaction]:
    """The interactions of one deal, oldest first."""
    return records.select(session, INTERACTION, where=[tables.interactions.c.deal_id == deal_id])


def create_evidence(session: Session, *, evidence: Evidence) -> Evidence:
    """Store one evidenced criterion (unique per deal and criterion)."""
    return records.insert(session, EVIDENCE, evidence)


def list_evidence(session: Session, *, deal_id: int) -> list[Evidence]:
    """The evidence of one deal, oldest first."""
    return records.select(session, EVIDENCE, where=[tables.evidence.c.deal_id == deal_id])


def create_stage_change(session: Session, *, change: StageChange) -> StageChange:
    """Store one move of the deal's position."""
    return records.insert(session, STAGE_CHANGE, change)


def list_stage_changes(session: Session, *, deal_id: int) -> list[StageChange]:
    """The stage history of one deal, oldest first."""
    return records.select(session, STAGE_CHANGE, where=[tables.stage_changes.c.deal_id == deal_id])


def create_close_date_change(session: Session, *, change: CloseDateChange) -> CloseDateChange:
    """Store one change of the expected close date."""
    return records.insert(session, CLOSE_DATE_CHANGE, change)


def list_close_date_changes(session: Session, *, deal_id: int) -> list[CloseDateChange]:
    """The close-date history of one deal, oldest first."""
    return records.select(
        session, CLOSE_DATE_CHANGE, where=[tables.close_date_changes.c.deal_id == deal_id]
    )
