"""Fitting a scenario from history: a hand-built history counted by hand, and the demo."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from dealgraph.core.enums import Channel, DealStatus
from dealgraph.core.model import Deal, DealRecord, Interaction, StageChange
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Play, Playbook
from dealgraph.demo import build_demo_document
from dealgraph.errors import InvalidInput
from dealgraph.io.native_json import deal_records
from dealgraph.planning.fit import HOURLY_RATE, fit_scenario
from dealgraph.planning.markov import build_chain, closed_form
from dealgraph.planning.scenario import scenario_yaml
from dealgraph.planning.scenario_load import load_scenario_text
from tests.planning.simulation_fixtures import playbooks_with, tiny_playbook

T0 = datetime(2025, 1, 6, 9, 0)
TINY = tiny_playbook("a", "b", "c")


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def record(
    deal_id: int,
    moves: list[tuple[str, str, float]],
    *,
    status: DealStatus,
    closed: float | None = None,
    stage: str | None = None,
    value: float = 1000.0,
    currency: str = "USD",
    touches: list[tuple[Channel, float, str | None]] | None = None,
    playbook: str = "tiny",
) -> DealRecord:
    deal = Deal(
        id=deal_id,
        title=f"deal {deal_id}",
        owner="sam",
        value=value,
        currency=currency,
        created_at=T0,
        playbook=playbook,
        stage=stage,
        status=status,
        closed_at=day(closed) if closed is not None else None,
    )
    changes = [
        StageChange(id=i, deal_id=deal_id, from_stage=src, to_stage=dst, changed_at=day(at))
        for i, (src, dst, at) in enumerate(moves, start=1)
    ]
    interactions = [
        Interaction(deal_id=deal_id, occurred_at=day(at), channel=channel, play=play)
        for channel, at, play in touches or []
    ]
    return DealRecord(deal=deal, stage_changes=changes, interactions=interactions)


def history() -> list[DealRecord]:
    return [
        # won through every stage; the field visit on day 10 produced the move, so it is a's
        record(
            1,
            [("a", "b", 10), ("b", "c", 15), ("c", "done", 25)],
            status=DealStatus.WON,
            closed=25,
            touches=[
                (Channel.EMAIL, 1, None),
                (Channel.FIELD, 10, None),
                (Channel.FIELD, 12, None),
            ],
        ),
        # a regression from b back to a, then lost in b
        record(
            2,
            [("a", "b", 4), ("b", "a", 6), ("a", "b", 9)],
            status=DealStatus.LOST,
            closed=12,
            value=3000,
        ),
        # no stage history: ended with no decision in the start stage on day 3
        record(
            3,
            [],
            status=DealStatus.NO_DECISION,
            closed=3,
            stage="a",
            value=2000,
            touches=[(Channel.PHONE, 0, None)],
        ),
        # skipped b; still open in c (that visit has not ended and does not count)
        record(
            4,
            [("a", "c", 5)],
            status=DealStatus.OPEN,
            value=5000,
            currency="EUR",
            touches=[(Channel.EMAIL, 7, None)],
        ),
        # won in c without a move to the won end (as CRM exports record it)
        record(5, [("a", "b", 2), ("b", "c", 4)], status=DealStatus.WON, closed=7, value=4000),
        # another playbook: ignored
        record(6, [("x", "y", 1)], status=DealStatus.LOST, closed=2, playbook="other"),
    ]


def test_raw_shares_are_the_counted_transitions() -> None:
    result = fit_scenario(history(), TINY, prior_exits=0, min_visits=5)
    stages = result.scenario.stages
    # a: advances to b four times (deals 1, 2 twice, 5) and to c once (4); one no decision
    assert stages["a"].advance == pytest.approx(5 / 6)
    assert stages["a"].no_decision == pytest.approx(1 / 6)
    assert stages["a"].advance_to == pytest.approx({"b": 0.8, "c": 0.2})
    assert stages["a"].back == 0 and stages["a"].lost == 0
    # b: to c twice (1, 5), back to a once (2), lost once (2)
    assert (stages["b"].advance, stages["b"].back, stages["b"].lost) == (0.5, 0.25, 0.25)
    assert stages["b"].advance_to is None and stages["b"].back_to is None  # the defaults
    # c: deal 1 moved to the won end, deal 5 was won in c; deal 4's open visit is not counted
    assert stages["c"].advance == 1.0
    assert result.report.exits == {"a": 6, "b": 4, "c": 2}
    assert result.report.deals == 5 and result.report.closed == 4


def test_days_mix_value_and_channel_costs() -> None:
    result = fit_scenario(history(), TINY, prior_exits=0, min_visits=5)
    scenario = result.scenario
    # a's six timed visits: 10, 4, 3 (6 -> 9), 3 (no decision), 5, 2 days
    assert scenario.stages["a"].days.p50 == pytest.approx(3.5)
    assert scenario.stages["a"].days.p90 == pytest.approx(7.5)  # 5 + 0.5 * (10 - 5)
    # b has four visits (< 5): the playbook's own 10 / 20 days
    assert (scenario.stages["b"].days.p50, scenario.stages["b"].days.p90) == (10, 20)
    assert result.report.days_from == {"a": "history", "b": "playbook", "c": "playbook"}
    refit = fit_scenario(history(), TINY, prior_exits=0, min_visits=4)
    assert refit.scenario.stages["b"].days.p50 == pytest.approx(2.5)  # 2, 2, 3, 5
    # interactions per timed visit: a has an email, a field visit and a call over 6 visits
    assert scenario.stages["a"].mix == pytest.approx(
        {"email": 1 / 6, "field": 1 / 6, "phone": 1 / 6}
    )
    assert scenario.stages["b"].mix == pytest.approx({"field": 1 / 4})
    assert scenario.stages["c"].mix == {}
    assert result.report.interactions == 4
    # value: the USD deals (the most common currency), 1000, 2000, 3000, 4000
    assert (scenario.value.p50, scenario.value.p90, scenario.value.currency) == (2500, 3700, "USD")
    assert scenario.channels["field"].hours == 3.0
    assert scenario.channels["field"].cost == 3.0 * HOURLY_RATE + 250
    assert scenario.channels["email"].cost == 0.25 * HOURLY_RATE


def test_prior_exits_spread_in_pooled_proportions() -> None:
    stages = fit_scenario(history(), TINY, prior_exits=1.0).scenario.stages
    # pooled exits: advance 9, back 1, lost 1, no decision 1; a cannot go back, so its one
    # pseudo-exit is 9/11 advance (to its next stage, b), 1/11 lost, 1/11 no decision
    assert stages["a"].advance == pytest.approx((5 + 9 / 11) / 7)
    assert stages["a"].lost == pytest.approx((1 / 11) / 7)
    assert stages["a"].advance_to == pytest.approx(
        {"b": (4 + 9 / 11) / (5 + 9 / 11), "c": 1 / (5 + 9 / 11)}
    )
    assert stages["c"].advance == pytest.approx((2 + 9 / 12) / 3)


def test_play_efforts_set_the_hours_of_their_channel() -> None:
    book: Playbook = TINY.model_copy(
        update={
            "plays": [
                Play(
                    key="visit",
                    title="Visit",
                    purpose="meet",
                    channels=[Channel.FIELD],
                    effort_hours=6,
                )
            ]
        }
    )
    records = history()
    records[0].interactions[1] = records[0].interactions[1].model_copy(update={"play": "visit"})
    scenario = fit_scenario(records, book).scenario
    # one field interaction ran the 6-hour play; the other field interaction had no play
    assert scenario.channels["field"].hours == 6.0
    assert scenario.channels["field"].cost == 6.0 * HOURLY_RATE + 250


def test_nothing_to_fit_is_bad_input() -> None:
    with pytest.raises(InvalidInput, match="nothing to fit") as caught:
        fit_scenario([record(9, [], status=DealStatus.OPEN)], TINY)
    assert caught.value.where == "playbook"
    with pytest.raises(InvalidInput, match="prior_exits"):
        fit_scenario(history(), TINY, prior_exits=-1)


@pytest.fixture(scope="module")
def demo_records() -> list[DealRecord]:
    playbook = get_playbook("buyer-journey")
    return deal_records(build_demo_document(seed=7, as_of=datetime(2025, 6, 1), playbook=playbook))


def test_fit_on_the_demo_workspace_is_sane(demo_records: list[DealRecord]) -> None:
    playbook = get_playbook("buyer-journey")
    result = fit_scenario(demo_records, playbook, prior_exits=0)
    scenario = result.scenario
    # forward moves out of each stage, counted straight from the stage changes
    order = playbook.journey_order
    forward: Counter[str] = Counter()
    for item in demo_records:
        for change in item.stage_changes:
            if change.from_stage and order.index(change.to_stage) > order.index(change.from_stage):
                forward[change.from_stage] += 1
    for stage, spec in scenario.stages.items():
        exits = result.report.exits[stage]
        assert spec.advance * exits == pytest.approx(forward[stage])
        assert spec.advance + spec.back + spec.lost + spec.no_decision == pytest.approx(1.0)
        assert 1 <= spec.days.p50 <= 60 and sum(spec.mix.values()) > 0
    assert result.report.deals == 300
    assert set(result.report.days_from.values()) == {"history"}
    exact = closed_form(build_chain(scenario, playbook))
    closed = Counter(r.deal.status for r in demo_records if r.deal.status != DealStatus.OPEN)
    # censoring (open deals) keeps the chain's win rate above the closed deals' share
    assert closed[DealStatus.WON] / sum(closed.values()) < exact.win_rate < 0.7
    # the file it writes loads back (rounded to 4 decimals) to nearly the same chain
    again = load_scenario_text(scenario_yaml(scenario), playbooks=playbooks_with(playbook))
    assert closed_form(build_chain(again, playbook)).win_rate == pytest.approx(
        exact.win_rate, abs=1e-3
    )
