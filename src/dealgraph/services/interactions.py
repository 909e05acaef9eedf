"""Interactions and evidence: what happened on a deal, and how it moves the buyer's position."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Deal, Evidence, Interaction, StageChange
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import InvalidInput
from dealgraph.services.common import (
    check_same_deal,
    check_unique,
    now,
    playbook_named,
    require_deal,
    set_deal_id,
    unknown_keys_message,
)
from dealgraph.store import deals as deal_store
from dealgraph.store import interactions as interaction_store

# Clocks differ a little between machines; more than this ahead of now is a typo.
FUTURE_TOLERANCE = timedelta(days=1)


class LoggedInteraction(BaseModel):
    """What logging an interaction did: the stored interaction, new evidence, the stage move."""

    model_config = ConfigDict(frozen=True)

    interaction: Interaction
    evidence: list[Evidence]
    stage_change: StageChange | None
    deal: Deal


class RecordedEvidence(BaseModel):
    """What recording evidence did: the evidence (new or already there) and the stage move."""

    model_config = ConfigDict(frozen=True)

    evidence: Evidence
    created: bool
    stage_change: StageChange | None
    deal: Deal


def log_interaction(
    session: Session, *, deal_id: int, interaction: Interaction, as_of: datetime | None = None
) -> LoggedInteraction:
    """Store an interaction, the evidence it produced, and move the deal's position.

    Participants must be stakeholders of the deal, the play a play of its playbook and each
    evidence key one of its criteria. Criteria already evidenced are not recorded twice.
    """
    deal = require_deal(session, deal_id)
    playbook = playbook_named(deal.playbook)
    if interaction.id is not None:
        raise InvalidInput("a new interaction has no id yet", where="id")
    _check_interaction(session, deal_id, interaction, playbook, as_of or now())
    stored = interaction_store.create_interaction(
        session,
        interaction=interaction.model_copy(
            update={"deal_id": set_deal_id(interaction.deal_id, deal_id)}
        ),
    )
    assert stored.id is not None
    already = {e.criterion for e in interaction_store.list_evidence(session, deal_id=deal_id)}
    new_evidence = []
    for criterion in dict.fromkeys(interaction.evidence):
        if criterion in already:
            continue
        new_evidence.append(
            interaction_store.create_evidence(
                session,
                evidence=Evidence(
                    deal_id=deal_id,
                    criterion=criterion,
                    interaction_id=stored.id,
                    recorded_at=interaction.occurred_at,
                ),
            )
        )
    deal, change = _advance(
        session,
        deal,
        playbook,
        evidenced=already | set(interaction.evidence),
        at=interaction.occurred_at,
        interaction_id=stored.id,
    )
    return LoggedInteraction(
        interaction=stored, evidence=new_evidence, stage_change=change, deal=deal
    )


def record_evidence(
    session: Session,
    *,
    deal_id: int,
    criterion: str,
    recorded_at: datetime | None = None,
    note: str = "",
    as_of: datetime | None = None,
) -> RecordedEvidence:
    """Record a criterion as met without an interaction (idempotent), and move the position."""
    deal = require_deal(session, deal_id)
    playbook = playbook_named(deal.playbook)
    valid = {c.key for c in playbook.criteria}
    if criterion not in valid:
        raise InvalidInput(unknown_keys_message("criterion", [criterion], valid), where="criterion")
    at = recorded_at or as_of or now()
    existing = {e.criterion: e for e in interaction_store.list_evidence(session, deal_id=deal_id)}
    if criterion in existing:
        return RecordedEvidence(
            evidence=existing[criterion], created=False, stage_change=None, deal=deal
        )
    evidence = interaction_store.create_evidence(
        session,
        evidence=Evidence(deal_id=deal_id, criterion=criterion, recorded_at=at, note=note),
    )
    deal, change = _advance(
        session, deal, playbook, evidenced={*existing, criterion}, at=at, interaction_id=None
    )
    return RecordedEvidence(evidence=evidence, created=True, stage_change=change, deal=deal)


def list_interactions(session: Session, *, deal_id: int) -> list[Interaction]:
    """A deal's interactions, oldest first; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return interaction_store.list_interactions(session, deal_id=deal_id)


def list_evidence(session: Session, *, deal_id: int) -> list[Evidence]:
    """A deal's evidence, oldest first; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return interaction_store.list_evidence(session, deal_id=deal_id)


def list_stage_changes(session: Session, *, deal_id: int) -> list[StageChange]:
    """A deal's stage history, oldest first; NotFound for an unknown deal."""
    require_deal(session, deal_id)
    return interaction_store.list_stage_changes(session, deal_id=deal_id)


def _check_interaction(
    session: Session, deal_id: int, interaction: Interaction, playbook: Playbook, at: datetime
) -> None:
    if interaction.occurred_at > at + FUTURE_TOLERANCE:
        raise InvalidInput(
            f"{interaction.occurred_at.isoformat()} is in the future", where="occurred_at"
        )
    check_unique(interaction.participants, where="participants")
    check_same_deal(
        session,
        table_name="stakeholders",
        ids=interaction.participants,
        deal_id=deal_id,
        where="participants",
        kind="stakeholder",
    )
    plays = {p.key for p in playbook.plays}
    if interaction.play is not None and interaction.play not in plays:
        raise InvalidInput(unknown_keys_message("play", [interaction.play], plays), where="play")
    criteria = {c.key for c in playbook.criteria}
    unknown = [key for key in interaction.evidence if key not in criteria]
    if unknown:
        raise InvalidInput(unknown_keys_message("criterion", unknown, criteria), where="evidence")


def _advance(
    session: Session,
    deal: Deal,
    playbook: Playbook,
    *,
    evidenced: set[str],
    at: datetime,
    interaction_id: int | None,
) -> tuple[Deal, StageChange | None]:
    """Recompute the position; store the move (and a won end) when it changed."""
    if deal.status != DealStatus.OPEN:
        return deal, None
    position = playbook.position(evidenced)
    if position == deal.stage:
        return deal, None
    assert deal.id is not None
    change = interaction_store.create_stage_change(
        session,
        change=StageChange(
            deal_id=deal.id,
            from_stage=deal.stage,
            to_stage=position,
            changed_at=at,
            interaction_id=interaction_id,
        ),
    )
    update: dict[str, object] = {"stage": position, "stage_entered_at": at}
    if playbook.stage(position).end == "won":
        update |= {"status": DealStatus.WON, "closed_at": at}
    moved = deal_store.update_deal(
        session, deal=deal.model_copy(update=update), expected_version=deal.version
    )
    return moved, change
