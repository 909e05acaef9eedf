"""The pipeline and history as they stood at a moment: nothing from after it."""

from __future__ import annotations

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Deal, DealRecord, StageChange
from dealgraph.planning.asof import snapshot
from tests.planning.forecast_fixtures import IDS, QSQ, TEAM, day, playbooks, workspace


def test_at_day_100_three_deals_are_open_and_four_closed() -> None:
    snap = snapshot(workspace(), playbooks(), as_of=day(100))
    opened = {d.deal_id: d for d in snap.open_deals}
    assert set(opened) == {IDS["D"], IDS["E"], IDS["F"]}
    assert {d.deal_id for d in snap.closed_deals} == {IDS[n] for n in "ABCG"}
    assert (opened[IDS["D"]].stage, opened[IDS["D"]].entered_at) == (TEAM, day(60))
    assert (opened[IDS["E"]].stage, opened[IDS["E"]].entered_at) == (QSQ, day(80))
    qsq = sorted((o.days, o.closed) for o in snap.observations["buyer-journey"] if o.stage == QSQ)
    assert qsq == [
        (20.0, False),
        (20.0, True),
        (35.0, True),
        (40.0, True),
        (50.0, False),
        (50.0, True),
        (70.0, False),
    ]
    assert snap.reached[("buyer-journey", QSQ)] == (2, 4)
    assert snap.reached[("buyer-journey", TEAM)] == (2, 3)
    assert snap.currencies == {"USD": 6, "EUR": 1}


def test_earlier_the_same_deals_were_open_in_earlier_stages() -> None:
    snap = snapshot(workspace(), playbooks(), as_of=day(30))
    opened = {d.deal_id: (d.stage, d.entered_at) for d in snap.open_deals}
    assert opened == {IDS["A"]: (TEAM, day(10)), IDS["B"]: (TEAM, day(20))}
    assert [d.deal_id for d in snap.closed_deals] == [IDS["C"]]
    assert all(o.days <= 30 for o in snap.observations["buyer-journey"])
    assert snap.reached == {("buyer-journey", QSQ): (0, 1)}


def test_deals_without_a_stage_history_are_modelled_from_creation_in_the_start_stage() -> None:
    deal = Deal(
        id=50,
        title="Imported with its current stage only",
        owner="sam",
        created_at=day(0),
        stage="define_problem",
        stage_entered_at=day(5),
    )
    opened = snapshot([DealRecord(deal=deal)], playbooks(), as_of=day(10)).open_deals[0]
    assert (opened.stage, opened.model_stage) == ("define_problem", QSQ)
    assert (opened.entered_at, opened.from_creation) == (day(0), True)
    unknown = DealRecord(deal=deal.model_copy(update={"stage": "negotiation"}))
    assert snapshot([unknown], playbooks(), as_of=day(10)).open_deals[0].stage == QSQ
    # A win with no history counts where every deal was, the start stage, not all the way:
    # a loss without history cannot say how far it got either.
    won = deal.model_copy(
        update={"id": 51, "stage": "adopt", "status": DealStatus.WON, "closed_at": day(30)}
    )
    snap = snapshot([DealRecord(deal=won)], playbooks(), as_of=day(40))
    assert snap.reached == {("buyer-journey", QSQ): (1, 1)}
    assert [(o.stage, o.days, o.closed) for o in snap.observations["buyer-journey"]] == [
        (QSQ, 30.0, True)
    ]
    # With a history the same win reached every stage.
    moved = DealRecord(
        deal=won,
        stage_changes=[
            StageChange(deal_id=51, from_stage=QSQ, to_stage="adopt", changed_at=day(30))
        ],
    )
    reached = snapshot([moved], playbooks(), as_of=day(40)).reached
    assert reached[("buyer-journey", "approve_contract")] == (1, 1)
    assert snapshot([moved], playbooks(), as_of=day(20)).open_deals[0].from_creation is False


def test_closed_deals_without_a_close_date_are_left_out_and_counted() -> None:
    undated = DealRecord(
        deal=Deal(
            id=60, title="Lost somewhere", owner="sam", created_at=day(0), status=DealStatus.LOST
        )
    )
    snap = snapshot([*workspace(), undated], playbooks(), as_of=day(100))
    assert snap.undated == 1
    assert 60 not in {d.deal_id for d in [*snap.open_deals, *snap.closed_deals]}
