"""The decision graph on both databases: links inside the deal, cycles refused by title."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.enums import DecisionStatus
from dealgraph.errors import Conflict, CycleError, InvalidInput, NotFound
from dealgraph.services import deals, decisions
from dealgraph.services import stakeholders as people
from dealgraph.store.db import Database
from tests.factories import at, make_deal, make_decision, make_stakeholder


def _deal(session: Session) -> int:
    deal = deals.create_deal(session, deal=make_deal())
    assert deal.id is not None
    return deal.id


def _chain(session: Session, deal_id: int) -> list[int]:
    """Three custom decisions A <- B <- C (C requires B requires A)."""
    ids: list[int] = []
    for title in ("Alpha", "Bravo", "Charlie"):
        made = decisions.add_decision(
            session, deal_id=deal_id, decision=make_decision(title=title, requires=ids[-1:])
        )
        assert made.id is not None
        ids.append(made.id)
    return ids


def test_add_decision_with_requirements_and_owners(session: Session) -> None:
    deal_id = _deal(session)
    owner = people.add_stakeholder(session, deal_id=deal_id, stakeholder=make_stakeholder())
    alpha, bravo, _ = _chain(session, deal_id)
    made = decisions.add_decision(
        session,
        deal_id=deal_id,
        decision=make_decision(requires=[bravo, alpha], owners=[owner.id]),
    )
    assert made.id is not None
    assert decisions.get_decision(session, decision_id=made.id).requires == [bravo, alpha]
    assert made.version == 1 and made.deal_id == deal_id


def test_links_must_stay_inside_the_deal(session: Session) -> None:
    first, second = _deal(session), _deal(session)
    foreign = decisions.list_decisions(session, deal_id=first)[0]
    stranger = people.add_stakeholder(session, deal_id=first, stakeholder=make_stakeholder())
    before = decisions.list_decisions(session, deal_id=second)
    with pytest.raises(InvalidInput) as caught:
        decisions.add_decision(
            session, deal_id=second, decision=make_decision(requires=[foreign.id])
        )
    assert caught.value.where == "requires"
    with pytest.raises(InvalidInput) as caught:
        decisions.add_decision(
            session, deal_id=second, decision=make_decision(owners=[stranger.id])
        )
    assert caught.value.where == "owners"
    with pytest.raises(InvalidInput) as caught:
        decisions.add_decision(
            session, deal_id=second, decision=make_decision(requires=[before[0].id] * 2)
        )
    assert caught.value.where == "requires"
    assert decisions.list_decisions(session, deal_id=second) == before


def test_cycle_is_refused_naming_titles_and_nothing_changes(database: Database) -> None:
    with database.session() as session:
        deal_id = _deal(session)
        alpha, bravo, charlie = _chain(session, deal_id)
        before = decisions.list_decisions(session, deal_id=deal_id)
    with pytest.raises(CycleError) as caught, database.session() as session:
        decisions.add_requirement(session, deal_id=deal_id, dependent_id=alpha, required_id=charlie)
    assert caught.value.cycle == ["Alpha", "Bravo", "Charlie", "Alpha"]
    with pytest.raises(CycleError) as caught, database.session() as session:
        current = decisions.get_decision(session, decision_id=alpha)
        decisions.update_decision(
            session,
            decision=current.model_copy(update={"requires": [bravo]}),
            expected_version=current.version,
        )
    assert "Alpha" in caught.value.cycle and "Bravo" in caught.value.cycle
    with pytest.raises(CycleError), database.session() as session:
        decisions.set_decision(session, decision_id=bravo, add_requires=[charlie])
    with database.session() as session:
        assert decisions.list_decisions(session, deal_id=deal_id) == before


def test_add_and_remove_requirement(session: Session) -> None:
    deal_id = _deal(session)
    alpha, _, charlie = _chain(session, deal_id)
    added = decisions.add_requirement(
        session, deal_id=deal_id, dependent_id=charlie, required_id=alpha
    )
    assert added.requires[-1] == alpha and added.version == 2
    again = decisions.add_requirement(
        session, deal_id=deal_id, dependent_id=charlie, required_id=alpha
    )
    assert again == added
    removed = decisions.remove_requirement(
        session, deal_id=deal_id, dependent_id=charlie, required_id=alpha
    )
    assert alpha not in removed.requires
    with pytest.raises(NotFound, match="requirement"):
        decisions.remove_requirement(
            session, deal_id=deal_id, dependent_id=charlie, required_id=alpha
        )
    with pytest.raises(NotFound, match="decision 999"):
        decisions.add_requirement(session, deal_id=deal_id, dependent_id=999, required_id=alpha)
    other = _deal(session)
    with pytest.raises(InvalidInput) as caught:
        decisions.add_requirement(session, deal_id=other, dependent_id=charlie, required_id=alpha)
    assert caught.value.where == "dependent_id"


def test_decided_at_follows_status(session: Session) -> None:
    deal_id = _deal(session)
    first = decisions.list_decisions(session, deal_id=deal_id)[0]
    decided = decisions.update_decision(
        session,
        decision=first.model_copy(update={"status": DecisionStatus.DECIDED}),
        expected_version=first.version,
        as_of=at(8),
    )
    assert decided.decided_at == at(8) and decided.version == 2
    renamed = decisions.set_decision(session, decision_id=decided.id or 0, title="Renamed")
    assert renamed.decided_at == at(8) and renamed.title == "Renamed"
    reopened = decisions.set_decision(
        session, decision_id=decided.id or 0, status="in_progress", expected_version=3
    )
    assert reopened.decided_at is None and reopened.status == DecisionStatus.IN_PROGRESS


def test_set_decision_names_bad_fields(session: Session) -> None:
    deal_id = _deal(session)
    first = decisions.list_decisions(session, deal_id=deal_id)[0]
    assert first.id is not None
    with pytest.raises(InvalidInput) as caught:
        decisions.set_decision(session, decision_id=first.id, status="pondering")
    assert caught.value.where == "status" and "decided" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        decisions.set_decision(session, decision_id=first.id, level=9)
    assert caught.value.where == "level"
    assert decisions.get_decision(session, decision_id=first.id) == first


def test_stale_decision_update_is_refused(session: Session) -> None:
    deal_id = _deal(session)
    first = decisions.list_decisions(session, deal_id=deal_id)[0]
    assert first.id is not None
    decisions.set_decision(session, decision_id=first.id, level=6)
    with pytest.raises(Conflict) as caught:
        decisions.set_decision(session, decision_id=first.id, level=2, expected_version=1)
    assert caught.value.current_version == 2
    assert decisions.get_decision(session, decision_id=first.id).level == 6


def test_remove_decision_and_unknown_deal(session: Session) -> None:
    deal_id = _deal(session)
    alpha, bravo, _ = _chain(session, deal_id)
    decisions.remove_decision(session, decision_id=alpha)
    assert decisions.get_decision(session, decision_id=bravo).requires == []
    with pytest.raises(NotFound, match="deal 404"):
        decisions.list_decisions(session, deal_id=404)
