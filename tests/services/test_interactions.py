"""Interactions and evidence on both databases: evidence moves the position and writes history."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.errors import InvalidInput, NotFound
from dealgraph.services import deals, interactions
from dealgraph.services import stakeholders as people
from dealgraph.store.db import Database
from tests.factories import (
    at,
    criteria_before_won,
    make_deal,
    make_interaction,
    make_stakeholder,
    play_for,
    playbook,
)


def _deal(session: Session) -> int:
    deal = deals.create_deal(session, deal=make_deal())
    assert deal.id is not None
    return deal.id


def test_evidence_moves_the_stage_and_writes_history(session: Session) -> None:
    book = playbook()
    deal_id = _deal(session)
    person = people.add_stakeholder(session, deal_id=deal_id, stakeholder=make_stakeholder())
    first_exit = book.stages[0].exit
    partial = interactions.log_interaction(
        session,
        deal_id=deal_id,
        interaction=make_interaction(
            occurred_at=at(2), participants=[person.id], evidence=first_exit[:1]
        ),
    )
    assert partial.stage_change is None and partial.deal.stage == book.stages[0].key
    assert [e.criterion for e in partial.evidence] == first_exit[:1]
    done = interactions.log_interaction(
        session,
        deal_id=deal_id,
        interaction=make_interaction(
            occurred_at=at(5), play=play_for(book, first_exit[-1]), evidence=list(first_exit)
        ),
    )
    # The criterion already evidenced is not recorded twice.
    assert [e.criterion for e in done.evidence] == first_exit[1:]
    assert done.stage_change is not None
    move = done.stage_change
    assert (move.from_stage, move.to_stage) == (book.stages[0].key, book.stages[1].key)
    assert (move.changed_at, move.interaction_id) == (at(5), done.interaction.id)
    deal = deals.get_deal(session, deal_id=deal_id)
    assert (deal.stage, deal.stage_entered_at, deal.version) == (book.stages[1].key, at(5), 2)
    history = interactions.list_stage_changes(session, deal_id=deal_id)
    assert [c.to_stage for c in history] == [book.stages[0].key, book.stages[1].key]
    assert len(interactions.list_evidence(session, deal_id=deal_id)) == len(first_exit)
    assert [i.occurred_at for i in interactions.list_interactions(session, deal_id=deal_id)] == [
        at(2),
        at(5),
    ]


def test_reaching_a_won_end_wins_the_deal(session: Session) -> None:
    book = playbook()
    deal_id = _deal(session)
    result = interactions.log_interaction(
        session,
        deal_id=deal_id,
        interaction=make_interaction(occurred_at=at(30), evidence=criteria_before_won(book)),
    )
    assert result.stage_change is not None
    assert book.stage(result.stage_change.to_stage).end == "won"
    deal = deals.get_deal(session, deal_id=deal_id)
    assert (deal.status, deal.closed_at) == (DealStatus.WON, at(30))
    # A closed deal keeps its position whatever evidence comes later.
    later = interactions.record_evidence(
        session, deal_id=deal_id, criterion=book.stages[-1].exit[0], recorded_at=at(31)
    )
    assert later.created and later.stage_change is None


def test_bad_interactions_name_the_field_and_change_nothing(database: Database) -> None:
    book = playbook()
    with database.session() as session:
        deal_id = _deal(session)
        other_deal = _deal(session)
        stranger = people.add_stakeholder(
            session, deal_id=other_deal, stakeholder=make_stakeholder()
        )
    bad = {
        "evidence": make_interaction(evidence=[book.criteria[0].key, "made_up"]),
        "play": make_interaction(play="cold_call_blitz"),
        "participants": make_interaction(participants=[stranger.id]),
        "occurred_at": make_interaction(occurred_at=at(3650)),
    }
    for field, interaction in bad.items():
        with pytest.raises(InvalidInput) as caught, database.session() as session:
            interactions.log_interaction(
                session, deal_id=deal_id, interaction=interaction, as_of=at(10)
            )
        assert caught.value.where == field
    with database.session() as session:
        assert interactions.list_interactions(session, deal_id=deal_id) == []
        assert interactions.list_evidence(session, deal_id=deal_id) == []
    with pytest.raises(InvalidInput) as caught, database.session() as session:
        interactions.log_interaction(
            session, deal_id=deal_id, interaction=bad["evidence"], as_of=at(10)
        )
    message = str(caught.value)
    assert "'made_up'" in message and book.criteria[0].key in message


def test_record_evidence_is_idempotent(session: Session) -> None:
    book = playbook()
    deal_id = _deal(session)
    criterion = book.stages[0].exit[0]
    first = interactions.record_evidence(
        session, deal_id=deal_id, criterion=criterion, recorded_at=at(1), note="kickoff"
    )
    second = interactions.record_evidence(
        session, deal_id=deal_id, criterion=criterion, recorded_at=at(2)
    )
    assert first.created and not second.created
    assert second.evidence == first.evidence and first.evidence.interaction_id is None
    with pytest.raises(InvalidInput) as caught:
        interactions.record_evidence(session, deal_id=deal_id, criterion="nope")
    assert caught.value.where == "criterion"


def test_unknown_deal(session: Session) -> None:
    with pytest.raises(NotFound, match="deal 12"):
        interactions.log_interaction(session, deal_id=12, interaction=make_interaction())
    with pytest.raises(NotFound, match="deal 12"):
        interactions.list_interactions(session, deal_id=12)
