"""Store functions on both databases: exact round trips, ordering, locking, cascades, no N+1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus, Role
from dealgraph.core.model import Evidence, StageChange
from dealgraph.errors import Conflict, NotFound
from dealgraph.store import accounts, deals, decisions, interactions, plan, stakeholders
from dealgraph.store.db import Database
from tests.factories import (
    at,
    make_account,
    make_deal,
    make_decision,
    make_interaction,
    make_plan_item,
    make_problem,
    make_stakeholder,
)


def _deal(session: Session, **overrides: Any) -> int:
    stored = deals.create_deal(session, deal=make_deal(**overrides))
    assert stored.id is not None
    return stored.id


def test_deal_round_trip_is_exact(session: Session) -> None:
    account = accounts.create_account(session, account=make_account())
    deal = make_deal(account_id=account.id, value=1234.567891, stage="x", stage_entered_at=at(1))
    stored = deals.create_deal(session, deal=deal)
    assert stored.id is not None and stored.version == 1
    assert deals.get_deal(session, deal_id=stored.id) == stored
    assert stored.model_dump(exclude={"id"}) == deal.model_dump(exclude={"id"})


def test_id_lists_keep_their_order(session: Session) -> None:
    deal_id = _deal(session)
    people = [
        stakeholders.create_stakeholder(
            session, stakeholder=make_stakeholder(deal_id=deal_id, name=f"P{i}")
        ).id
        for i in range(3)
    ]
    base = [
        decisions.create_decision(
            session, decision=make_decision(deal_id=deal_id, title=f"D{i}")
        ).id
        for i in range(3)
    ]
    owners = [people[2], people[0], people[1]]
    requires = [base[1], base[2], base[0]]
    stored = decisions.create_decision(
        session,
        decision=make_decision(
            deal_id=deal_id,
            owners=owners,
            requires=requires,
            roles=[Role.USER, Role.APPROVER, Role.CHAMPION],
        ),
    )
    assert stored.id is not None
    again = decisions.get_decision(session, decision_id=stored.id)
    assert again.owners == owners
    assert again.requires == requires
    assert again.roles == [Role.USER, Role.APPROVER, Role.CHAMPION]
    logged = interactions.create_interaction(
        session,
        interaction=make_interaction(
            deal_id=deal_id, participants=owners, evidence=["b_key", "a_key"]
        ),
    )
    assert logged.id is not None
    loaded = interactions.get_interaction(session, interaction_id=logged.id)
    assert loaded.participants == owners
    assert loaded.evidence == ["b_key", "a_key"]


def test_unknown_ids_raise_not_found(session: Session) -> None:
    with pytest.raises(NotFound, match="deal 999"):
        deals.get_deal(session, deal_id=999)
    with pytest.raises(NotFound, match="stakeholder 999"):
        stakeholders.delete_stakeholder(session, stakeholder_id=999)
    with pytest.raises(NotFound, match="plan item 5"):
        plan.update_plan_item(session, item=make_plan_item(id=5, deal_id=1))
    with pytest.raises(NotFound):
        deals.update_deal(session, deal=make_deal(id=77), expected_version=1)


def test_stale_update_raises_conflict_and_changes_nothing(database: Database) -> None:
    with database.session() as session:
        deal_id = _deal(session)
        original = deals.get_deal(session, deal_id=deal_id)
        deals.update_deal(
            session, deal=original.model_copy(update={"title": "First"}), expected_version=1
        )
    with pytest.raises(Conflict) as caught, database.session() as session:
        deals.update_deal(
            session, deal=original.model_copy(update={"title": "Second"}), expected_version=1
        )
    assert caught.value.current_version == 2
    with database.session() as session:
        now = deals.get_deal(session, deal_id=deal_id)
    assert (now.title, now.version) == ("First", 2)


def test_versioned_updates_count_up(session: Session) -> None:
    deal_id = _deal(session)
    person = stakeholders.create_stakeholder(session, stakeholder=make_stakeholder(deal_id=deal_id))
    changed = stakeholders.update_stakeholder(
        session, stakeholder=person.model_copy(update={"stance": -2}), expected_version=1
    )
    assert changed.version == 2
    assert person.id is not None
    assert stakeholders.get_stakeholder(session, stakeholder_id=person.id) == changed


def test_deleting_a_deal_removes_its_children(session: Session) -> None:
    keep = _deal(session, title="Keep")
    gone = _deal(session, title="Gone")
    for deal_id in (keep, gone):
        person = stakeholders.create_stakeholder(
            session, stakeholder=make_stakeholder(deal_id=deal_id)
        )
        decisions.create_decision(
            session, decision=make_decision(deal_id=deal_id, owners=[person.id])
        )
        interactions.create_interaction(
            session, interaction=make_interaction(deal_id=deal_id, participants=[person.id])
        )
        plan.create_problem(session, problem=make_problem(deal_id=deal_id, confirmed_by=person.id))
    deals.delete_deal(session, deal_id=gone)
    for table in ("stakeholders", "decisions", "interactions", "problems", "decision_owners"):
        rows = session.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        assert rows == 1, table
    assert deals.load_deal_record(session, deal_id=keep).stakeholders


def test_removing_a_boss_leaves_reports_to_nobody(session: Session) -> None:
    deal_id = _deal(session)
    boss = stakeholders.create_stakeholder(session, stakeholder=make_stakeholder(deal_id=deal_id))
    report = stakeholders.create_stakeholder(
        session, stakeholder=make_stakeholder(deal_id=deal_id, name="R", reports_to=boss.id)
    )
    assert boss.id is not None and report.id is not None
    stakeholders.delete_stakeholder(session, stakeholder_id=boss.id)
    assert stakeholders.get_stakeholder(session, stakeholder_id=report.id).reports_to is None


def test_evidence_is_unique_per_deal_and_criterion(database: Database) -> None:
    with database.session() as session:
        deal_id = _deal(session)
        interactions.create_evidence(
            session, evidence=Evidence(deal_id=deal_id, criterion="c", recorded_at=at(1))
        )
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        interactions.create_evidence(
            session, evidence=Evidence(deal_id=deal_id, criterion="c", recorded_at=at(2))
        )


def test_children_come_back_in_time_order(session: Session) -> None:
    deal_id = _deal(session)
    for day in (5, 1, 3):
        interactions.create_interaction(
            session, interaction=make_interaction(deal_id=deal_id, occurred_at=at(day))
        )
        interactions.create_stage_change(
            session, change=StageChange(deal_id=deal_id, to_stage=f"s{day}", changed_at=at(day))
        )
    listed = interactions.list_interactions(session, deal_id=deal_id)
    assert [i.occurred_at for i in listed] == [at(1), at(3), at(5)]
    changes = interactions.list_stage_changes(session, deal_id=deal_id)
    assert [c.to_stage for c in changes] == ["s1", "s3", "s5"]


def test_list_deals_filters(session: Session) -> None:
    _deal(session, owner="a", status=DealStatus.OPEN, stage="one")
    _deal(session, owner="b", status=DealStatus.WON, stage="two")
    _deal(session, owner="a", status=DealStatus.LOST, stage="two")
    assert [d.owner for d in deals.list_deals(session)] == ["a", "b", "a"]
    assert [d.status for d in deals.list_deals(session, owner="a")] == ["open", "lost"]
    assert [d.owner for d in deals.list_deals(session, stage="two", status="won")] == ["b"]


@contextmanager
def _counting(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind()

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_load_deal_records_uses_a_fixed_number_of_queries(session: Session) -> None:
    for n in range(12):
        deal_id = _deal(session, title=f"Deal {n}", status="won" if n % 3 else "open")
        person = stakeholders.create_stakeholder(
            session, stakeholder=make_stakeholder(deal_id=deal_id)
        )
        interactions.create_interaction(
            session, interaction=make_interaction(deal_id=deal_id, participants=[person.id])
        )
    with _counting(session) as few:
        small = deals.load_deal_records(session, status="open")
    with _counting(session) as many:
        every = deals.load_deal_records(session)
    assert len(small) == 4 and len(every) == 12
    assert len(many) == len(few) <= 20
    assert all(len(r.stakeholders) == 1 and len(r.interactions) == 1 for r in every)
    one = deals.load_deal_record(session, deal_id=every[5].deal.id or 0)
    assert one == every[5]


def test_load_deal_record_of_unknown_deal(session: Session) -> None:
    with pytest.raises(NotFound, match="deal 4"):
        deals.load_deal_record(session, deal_id=4)
