"""The backtest on the demo workspace: past quarters forecast from what was known then."""

from __future__ import annotations

from datetime import datetime

import pytest

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo import build_demo_document
from dealgraph.errors import InvalidInput
from dealgraph.io.native_json import deal_records
from dealgraph.planning.asof import snapshot
from dealgraph.planning.backtest import backtest
from dealgraph.planning.forecast import forecast_pipeline
from dealgraph.planning.period import quarters_before

AS_OF = datetime(2025, 6, 1)
TRIALS = 2000


@pytest.fixture(scope="module")
def playbooks() -> dict[str, Playbook]:
    return {"buyer-journey": get_playbook("buyer-journey")}


@pytest.fixture(scope="module")
def records(playbooks: dict[str, Playbook]) -> list[DealRecord]:
    document = build_demo_document(seed=7, as_of=AS_OF, playbook=playbooks["buyer-journey"])
    return deal_records(document)


def known_at(records: list[DealRecord], moment: datetime) -> list[DealRecord]:
    """The records cut off at ``moment``: later deals gone, later closes and moves undone."""
    kept = []
    for record in records:
        deal = record.deal
        if deal.created_at >= moment:
            continue
        changes = [c for c in record.stage_changes if c.changed_at < moment]
        update: dict[str, object] = {}
        if deal.closed_at is not None and deal.closed_at >= moment:
            update = {"status": DealStatus.OPEN, "closed_at": None, "loss_reason": ""}
        if changes:
            update |= {"stage": changes[-1].to_stage, "stage_entered_at": changes[-1].changed_at}
        kept.append(
            DealRecord.model_construct(deal=deal.model_copy(update=update), stage_changes=changes)
        )
    return kept


def test_each_period_is_forecast_from_what_was_known_at_its_start(
    records: list[DealRecord], playbooks: dict[str, Playbook]
) -> None:
    result = backtest(records, playbooks, quarters_before(AS_OF, 4), trials=TRIALS, seed=3)
    assert result.periods, result.skipped
    for row in result.periods:
        start = row.period.start_at
        history = snapshot(records, playbooks, as_of=start)
        assert history.closed_deals and all(d.closed_at < start for d in history.closed_deals)
        assert len(history.closed_deals) == row.history_deals
        closed_before = {d.deal_id for d in history.closed_deals}
        closed_later = {
            r.deal.id for r in records if r.deal.closed_at is not None and r.deal.closed_at >= start
        }
        observations = history.observations["buyer-journey"]
        assert {o.deal_id for o in observations if o.closed} <= closed_before
        assert all(not o.closed for o in observations if o.deal_id in closed_later)
        assert closed_later & {o.deal_id for o in observations}  # seen, but still open then
        # The same forecast from records that hold nothing after the start: no leak.
        blind = forecast_pipeline(
            known_at(records, start),
            playbooks,
            row.period,
            as_of=start,
            currency=result.currency,
            trials=TRIALS,
            seed=3,
            top=0,
        )
        band = blind.distribution
        assert (band.p10, band.p50, band.p90, band.expected) == (
            row.p10,
            row.p50,
            row.p90,
            pytest.approx(row.expected),
        )
        assert blind.open_deals == row.open_deals


def test_actuals_band_and_errors_add_up(
    records: list[DealRecord], playbooks: dict[str, Playbook]
) -> None:
    result = backtest(records, playbooks, quarters_before(AS_OF, 6), trials=TRIALS, seed=3)
    assert result.currency == "USD"
    # The demo's first win closes in 2024Q1 and 20 deals have closed by 2024Q2's start:
    # no quarter starting before 2024Q3 has a win and 30 closed deals to learn from.
    assert result.skipped == ["2023Q4", "2024Q1", "2024Q2"]
    assert [r.period.label for r in result.periods] == ["2024Q3", "2024Q4", "2025Q1"]
    for row in result.periods:
        won = [
            r.deal
            for r in records
            if r.deal.status == DealStatus.WON
            and r.deal.currency == "USD"
            and r.deal.closed_at is not None
            and row.period.contains(r.deal.closed_at)
        ]
        assert row.actual == sum(d.value for d in won)
        assert row.actual_from_pipeline == sum(
            d.value for d in won if d.created_at < row.period.start_at
        )
        assert row.inside_band == (row.p10 <= row.actual_from_pipeline <= row.p90)
        assert row.error == pytest.approx(
            abs(row.p50 - row.actual_from_pipeline) / row.actual_from_pipeline
        )
        assert row.p10 <= row.p50 <= row.p90
    inside = [r.inside_band for r in result.periods]
    assert result.inside_band_share == pytest.approx(sum(inside) / len(inside))
    errors = [r.error for r in result.periods if r.error is not None]
    assert result.mean_absolute_error == pytest.approx(sum(errors) / len(errors))


def test_the_backtest_is_reproducible_and_refuses_an_empty_list(
    records: list[DealRecord], playbooks: dict[str, Playbook]
) -> None:
    periods = quarters_before(AS_OF, 2)
    first = backtest(records, playbooks, periods, trials=500, seed=1)
    assert first == backtest(records, playbooks, periods, trials=500, seed=1)
    with pytest.raises(InvalidInput) as caught:
        backtest(records, playbooks, [], trials=500)
    assert caught.value.where == "periods"
    with pytest.raises(InvalidInput) as unknown:
        backtest(records, playbooks, periods, currency="CHF", trials=500)
    assert unknown.value.where == "currency"
