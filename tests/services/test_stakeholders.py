"""The buying team on both databases: reporting lines inside the deal and without cycles."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dealgraph.errors import Conflict, CycleError, InvalidInput, NotFound
from dealgraph.services import deals
from dealgraph.services import stakeholders as people
from dealgraph.store.db import Database
from tests.factories import at, make_deal, make_stakeholder


def _deal(session: Session) -> int:
    deal = deals.create_deal(session, deal=make_deal())
    assert deal.id is not None
    return deal.id


def test_add_and_list(session: Session) -> None:
    deal_id = _deal(session)
    boss = people.add_stakeholder(
        session, deal_id=deal_id, stakeholder=make_stakeholder(added_at=None), as_of=at(3)
    )
    report = people.add_stakeholder(
        session, deal_id=deal_id, stakeholder=make_stakeholder(name="Rae", reports_to=boss.id)
    )
    assert boss.added_at == at(3) and boss.deal_id == deal_id and boss.version == 1
    assert people.list_stakeholders(session, deal_id=deal_id) == [boss, report]


def test_reports_to_must_be_on_the_same_deal(session: Session) -> None:
    first, second = _deal(session), _deal(session)
    stranger = people.add_stakeholder(session, deal_id=first, stakeholder=make_stakeholder())
    with pytest.raises(InvalidInput) as caught:
        people.add_stakeholder(
            session, deal_id=second, stakeholder=make_stakeholder(reports_to=stranger.id)
        )
    assert caught.value.where == "reports_to"
    assert people.list_stakeholders(session, deal_id=second) == []


def test_reporting_cycle_is_refused_by_name(database: Database) -> None:
    with database.session() as session:
        deal_id = _deal(session)
        ana = people.add_stakeholder(
            session, deal_id=deal_id, stakeholder=make_stakeholder(name="Ana")
        )
        ben = people.add_stakeholder(
            session, deal_id=deal_id, stakeholder=make_stakeholder(name="Ben", reports_to=ana.id)
        )
        people.add_stakeholder(
            session, deal_id=deal_id, stakeholder=make_stakeholder(name="Cy", reports_to=ben.id)
        )
        cy = people.list_stakeholders(session, deal_id=deal_id)[2]
    with pytest.raises(CycleError) as caught, database.session() as session:
        people.update_stakeholder(
            session, stakeholder=ana.model_copy(update={"reports_to": cy.id}), expected_version=1
        )
    assert caught.value.cycle == ["Ana", "Cy", "Ben", "Ana"]
    with pytest.raises(InvalidInput) as self_caught, database.session() as session:
        people.update_stakeholder(
            session, stakeholder=ana.model_copy(update={"reports_to": ana.id}), expected_version=1
        )
    assert self_caught.value.where == "reports_to"
    with database.session() as session:
        assert ana.id is not None
        assert people.get_stakeholder(session, stakeholder_id=ana.id) == ana


def test_stale_stakeholder_update_is_refused(session: Session) -> None:
    deal_id = _deal(session)
    person = people.add_stakeholder(session, deal_id=deal_id, stakeholder=make_stakeholder())
    people.update_stakeholder(
        session, stakeholder=person.model_copy(update={"stance": 2}), expected_version=1
    )
    with pytest.raises(Conflict) as caught:
        people.update_stakeholder(
            session, stakeholder=person.model_copy(update={"stance": -2}), expected_version=1
        )
    assert caught.value.current_version == 2
    assert person.id is not None
    assert people.get_stakeholder(session, stakeholder_id=person.id).stance == 2


def test_unknown_ids(session: Session) -> None:
    with pytest.raises(NotFound, match="deal 9"):
        people.add_stakeholder(session, deal_id=9, stakeholder=make_stakeholder())
    with pytest.raises(NotFound, match="deal 9"):
        people.list_stakeholders(session, deal_id=9)
    with pytest.raises(NotFound, match="stakeholder 3"):
        people.remove_stakeholder(session, stakeholder_id=3)
    deal_id = _deal(session)
    with pytest.raises(InvalidInput) as caught:
        people.add_stakeholder(
            session, deal_id=deal_id, stakeholder=make_stakeholder(deal_id=deal_id + 1)
        )
    assert caught.value.where == "deal_id"


def test_remove_stakeholder(session: Session) -> None:
    deal_id = _deal(session)
    boss = people.add_stakeholder(session, deal_id=deal_id, stakeholder=make_stakeholder())
    report = people.add_stakeholder(
        session, deal_id=deal_id, stakeholder=make_stakeholder(name="R", reports_to=boss.id)
    )
    assert boss.id is not None and report.id is not None
    people.remove_stakeholder(session, stakeholder_id=boss.id)
    assert people.list_stakeholders(session, deal_id=deal_id) == [
        report.model_copy(update={"reports_to": None})
    ]
