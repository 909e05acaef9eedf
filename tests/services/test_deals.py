"""Deal use cases on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.errors import Conflict, InvalidInput, NotFound
from dealgraph.services import accounts, deals, decisions
from dealgraph.services.interactions import list_stage_changes
from dealgraph.store.db import Database
from dealgraph.store.interactions import list_close_date_changes
from tests.factories import at, make_account, make_deal, playbook


def test_create_deal_instantiates_the_decision_template(session: Session) -> None:
    book = playbook()
    deal = deals.create_deal(session, deal=make_deal(), account_name="Acme")
    assert deal.id is not None
    assert deal.stage == book.position(set()) == book.start_stage
    assert deal.stage_entered_at == deal.created_at
    assert deal.playbook_version == book.version
    stored = decisions.list_decisions(session, deal_id=deal.id)
    by_key = {d.key: d for d in stored}
    assert set(by_key) == {t.key for t in book.decisions}
    id_to_key = {d.id: d.key for d in stored}
    for template in book.decisions:
        made = by_key[template.key]
        assert [id_to_key[r] for r in made.requires] == template.requires
        assert (made.title, made.stage, made.level) == (
            template.title,
            template.stage,
            template.level,
        )
        assert made.roles == list(template.roles)
        assert made.expected_days == template.days
    changes = list_stage_changes(session, deal_id=deal.id)
    assert [(c.from_stage, c.to_stage, c.changed_at) for c in changes] == [
        (None, book.start_stage, deal.created_at)
    ]


def test_account_is_found_or_created_by_name(session: Session) -> None:
    first = deals.create_deal(session, deal=make_deal(), account_name="Acme")
    second = deals.create_deal(session, deal=make_deal(), account_name="Acme")
    other = accounts.create_account(session, account=make_account(name="Other"))
    third = deals.create_deal(session, deal=make_deal(account_id=other.id))
    assert first.account_id == second.account_id != third.account_id == other.id
    assert [a.name for a in accounts.list_accounts(session)] == ["Acme", "Other"]


def test_create_deal_refuses_bad_references(session: Session) -> None:
    with pytest.raises(NotFound, match="account 42"):
        deals.create_deal(session, deal=make_deal(account_id=42))
    with pytest.raises(InvalidInput) as caught:
        deals.create_deal(session, deal=make_deal(playbook="no-such-playbook"))
    assert caught.value.where == "playbook"
    with pytest.raises(InvalidInput) as caught:
        deals.create_deal(session, deal=make_deal(loss_reason="price"))
    assert caught.value.where == "loss_reason"
    assert deals.list_deals(session) == []


def test_new_expected_close_writes_history(session: Session) -> None:
    deal = deals.create_deal(session, deal=make_deal())
    assert deal.id is not None
    moved = deals.update_deal(
        session,
        deal=deal.model_copy(update={"expected_close": date(2026, 9, 30)}),
        expected_version=deal.version,
        as_of=at(30),
    )
    deals.update_deal(
        session, deal=moved.model_copy(update={"title": "Renamed"}), expected_version=moved.version
    )
    history = list_close_date_changes(session, deal_id=deal.id)
    assert [(c.from_date, c.to_date, c.changed_at) for c in history] == [
        (date(2026, 6, 30), date(2026, 9, 30), at(30))
    ]


def test_closing_sets_closed_at_and_reopening_clears_it(session: Session) -> None:
    deal = deals.create_deal(session, deal=make_deal())
    lost = deals.update_deal(
        session,
        deal=deal.model_copy(update={"status": DealStatus.LOST, "loss_reason": "no budget"}),
        expected_version=1,
        as_of=at(40),
    )
    assert (lost.status, lost.closed_at, lost.version) == ("lost", at(40), 2)
    reopened = deals.update_deal(
        session,
        deal=lost.model_copy(update={"status": DealStatus.OPEN, "loss_reason": ""}),
        expected_version=2,
    )
    assert reopened.closed_at is None


def test_loss_reason_only_for_lost_deals_changes_nothing(session: Session) -> None:
    deal = deals.create_deal(session, deal=make_deal())
    assert deal.id is not None
    with pytest.raises(InvalidInput) as caught:
        deals.update_deal(
            session,
            deal=deal.model_copy(update={"status": DealStatus.WON, "loss_reason": "price"}),
            expected_version=1,
        )
    assert caught.value.where == "loss_reason"
    assert deals.get_deal(session, deal_id=deal.id) == deal


def test_stage_and_playbook_cannot_be_set_by_hand(session: Session) -> None:
    deal = deals.create_deal(session, deal=make_deal())
    with pytest.raises(InvalidInput) as caught:
        deals.update_deal(
            session, deal=deal.model_copy(update={"stage": "adopt"}), expected_version=1
        )
    assert caught.value.where == "stage"
    with pytest.raises(InvalidInput) as caught:
        deals.update_deal(
            session, deal=deal.model_copy(update={"playbook": "meddpicc"}), expected_version=1
        )
    assert caught.value.where == "playbook"


def test_stale_deal_update_is_refused(database: Database) -> None:
    with database.session() as session:
        deal = deals.create_deal(session, deal=make_deal())
        deals.update_deal(session, deal=deal.model_copy(update={"value": 5.0}), expected_version=1)
    with pytest.raises(Conflict) as caught, database.session() as session:
        deals.update_deal(
            session,
            deal=deal.model_copy(update={"expected_close": date(2027, 1, 1)}),
            expected_version=1,
        )
    assert caught.value.current_version == 2
    with database.session() as session:
        assert deal.id is not None
        assert deals.get_deal(session, deal_id=deal.id).value == 5.0
        assert list_close_date_changes(session, deal_id=deal.id) == []


def test_list_get_delete(session: Session) -> None:
    kept = deals.create_deal(session, deal=make_deal(owner="a"))
    gone = deals.create_deal(session, deal=make_deal(owner="b"))
    assert gone.id is not None and kept.id is not None
    assert [d.id for d in deals.list_deals(session, owner="b")] == [gone.id]
    with pytest.raises(InvalidInput) as caught:
        deals.list_deals(session, status="maybe")
    assert caught.value.where == "status"
    deals.delete_deal(session, deal_id=gone.id)
    with pytest.raises(NotFound):
        deals.get_deal(session, deal_id=gone.id)
    with pytest.raises(NotFound):
        deals.delete_deal(session, deal_id=gone.id)
    record = deals.get_deal_record(session, deal_id=kept.id)
    assert record.deal == kept and len(record.decisions) == len(playbook().decisions)
