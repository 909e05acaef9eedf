"""The pipeline forecast on a hand-built workspace: every number computed by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from dealgraph.errors import InvalidInput
from dealgraph.planning.forecast import Forecast, Thresholds, forecast_pipeline
from dealgraph.planning.period import period_between
from tests.planning.forecast_fixtures import (
    AS_OF,
    IDS,
    PERIOD,
    day,
    playbooks,
    record,
    workspace,
)


def _forecast(**options: Any) -> Forecast:
    settings: dict[str, Any] = {"as_of": AS_OF, "min_history": 1, "trials": 2000, "seed": 3}
    settings.update(options)
    return forecast_pipeline(workspace(), playbooks(), PERIOD, **settings)


def test_probabilities_and_expected_bookings_match_the_hand_computation() -> None:
    forecast = forecast_pipeline(
        workspace(), playbooks(), PERIOD, as_of=AS_OF, min_history=1, quota=1100.0, trials=4000
    )
    deals = {row.deal_id: row for row in forecast.drivers}
    e, d = deals[IDS["E"]], deals[IDS["D"]]
    assert (e.p_win, e.p_close, e.probability) == pytest.approx((0.25, 1.0, 0.25))
    assert e.days_in_stage == pytest.approx(20.0) and not e.beyond_history
    assert (d.p_win, d.p_close, d.stage) == (0.0, 0.0, "assemble_team")
    assert d.beyond_history and forecast.beyond_history == 1
    assert forecast.currency == "USD"
    assert (forecast.open_deals, forecast.other_currency_deals) == (2, 1)  # H not yet created
    assert (forecast.already_won, forecast.already_won_deals) == (1000.0, 1)
    dist = forecast.distribution
    assert dist.expected == pytest.approx(1000.0 + 0.25 * 200.0)
    assert abs(dist.mc_mean - dist.expected) <= 3 * dist.standard_error
    # Only E is uncertain: bookings are 1,000 (75 %) or 1,200 (25 %).
    assert (dist.p10, dist.p50, dist.p90) == (1000.0, 1000.0, 1200.0)
    assert dist.p_quota is not None and abs(dist.p_quota - 0.25) < 3 * (0.1875 / 4000) ** 0.5
    assert forecast.gap == pytest.approx(100.0)


def test_the_pipeline_needed_comes_from_win_rate_deal_size_and_cycle() -> None:
    forecast = forecast_pipeline(
        workspace(), playbooks(), PERIOD, as_of=AS_OF, min_history=1, quota=1100.0, trials=500
    )
    need = forecast.pipeline_needed
    assert need is not None
    assert need.win_rate == pytest.approx(0.5)  # A and G won of A, B, C, G
    assert need.average_deal == pytest.approx((50.0 + 1000.0) / 2)
    assert need.value == pytest.approx(100.0 / 0.5)
    assert need.deals == 1
    assert need.cycle_days == pytest.approx((40 + 35) / 2)
    assert need.create_by == date(2026, 4, 3)  # 2026-05-11 minus 37.5 days
    assert need.late is True


def test_thin_stages_are_pooled_and_say_so() -> None:
    forecast = _forecast(min_history=4)
    team = next(s for s in forecast.stages if s.stage == "assemble_team")
    assert team.pooled_with == ["question_status_quo", "define_problem"]
    assert team.history_deals == 10
    d = next(r for r in forecast.drivers if r.deal_id == IDS["D"])
    # Only F (50 days in qsq) and D itself stayed 40 days in any stage: the landmark pool
    # takes every stage and holds no close, so D wins nothing; the stage's pooled curve saw
    # closes up to day 50, so D is not past its history.
    assert (d.p_win, d.p_close) == (0.0, 0.0)
    assert not d.beyond_history


def test_win_probabilities_from_a_model_replace_history_deal_by_deal() -> None:
    forecast = _forecast(p_win={IDS["E"]: 0.25, IDS["D"]: 0.9, 999: 0.1})
    rows = {r.deal_id: r for r in forecast.drivers}
    assert rows[IDS["E"]].p_win == 0.25 and rows[IDS["E"]].p_win_source == "model"
    # The model's 0.25 replaces P(win eventually); the timing given a win stays 1.0.
    assert rows[IDS["E"]].p_close == pytest.approx(1.0)
    assert forecast.distribution.expected == pytest.approx(1000 + 0.25 * 1.0 * 200 + 0.9 * 0.0)
    partial = _forecast(p_win={IDS["E"]: 0.6})
    rows = {r.deal_id: r for r in partial.drivers}
    assert partial.distribution.expected == pytest.approx(1000 + 0.6 * 1.0 * 200)
    assert rows[IDS["D"]].p_win_source == "history" and rows[IDS["D"]].p_win == 0.0


def test_categories_follow_the_thresholds_given() -> None:
    forecast = _forecast(thresholds=Thresholds(commit=0.5, best_case=0.2))
    by_name = {c.name: c for c in forecast.categories}
    assert by_name["commit"].deals == 0
    assert (by_name["best_case"].deals, by_name["best_case"].value) == (1, 200.0)
    assert by_name["best_case"].expected == pytest.approx(50.0)
    assert (by_name["pipeline"].deals, by_name["pipeline"].value) == (1, 100.0)
    assert by_name["best_case"].rule == "0.2 <= p < 0.5"
    with pytest.raises(ValidationError, match="below the commit threshold"):
        Thresholds(commit=0.3, best_case=0.3)


def test_another_currency_forecasts_only_its_deals() -> None:
    forecast = _forecast(currency="eur")
    assert forecast.currency == "EUR"
    assert (forecast.open_deals, forecast.other_currency_deals) == (1, 2)
    assert forecast.already_won == 0.0
    f = forecast.drivers[0]
    # F has spent 50 days in qsq: no close was seen that late, so it counts as stalled.
    assert (f.deal_id, f.p_close, f.beyond_history) == (IDS["F"], 0.0, True)


def test_the_same_seed_gives_the_same_forecast() -> None:
    assert _forecast(seed=9) == _forecast(seed=9)
    assert _forecast(seed=9).distribution != _forecast(seed=10).distribution


@pytest.mark.parametrize(
    ("options", "where", "message"),
    [
        ({"currency": "JPY"}, "currency", "no deal in 'JPY'"),
        ({"quota": -5.0}, "quota", "quota must be"),
        ({"as_of": day(200)}, "as_of", "ended before"),
        ({"as_of": day(3)}, "as_of", "no deal closed before"),
        ({"trials": 0}, "trials", "trials must be"),
        ({"p_win": {IDS["E"]: 1.5}}, "p_win[5]", "outside 0..1"),
        ({"top": -1}, "top", "must not be negative"),
    ],
)
def test_bad_forecast_input_is_refused_with_where(
    options: dict[str, Any], where: str, message: str
) -> None:
    records = workspace()
    before = [r.model_dump() for r in records]
    settings: dict[str, Any] = {"as_of": AS_OF, "min_history": 1, "trials": 100}
    settings.update(options)
    with pytest.raises(InvalidInput, match=message) as caught:
        forecast_pipeline(records, playbooks(), PERIOD, **settings)
    assert caught.value.where == where
    assert [r.model_dump() for r in records] == before


def test_a_period_ending_before_it_starts_never_reaches_the_forecast() -> None:
    with pytest.raises(InvalidInput, match="before it starts") as caught:
        period_between(date(2026, 5, 10), date(2026, 4, 1))
    assert caught.value.where == "period"


def test_a_deal_without_stage_history_is_modelled_from_creation_and_zero_values_counted() -> None:
    imported = record("E", created=80, value=0.0).model_copy(deep=True)
    imported.deal = imported.deal.model_copy(
        update={"id": 90, "title": "Imported", "stage": "define_problem"}
    )
    forecast = forecast_pipeline(
        [*workspace(), imported], playbooks(), PERIOD, as_of=AS_OF, min_history=1, trials=200
    )
    rows = {r.deal_id: r for r in forecast.drivers}
    row, twin = rows[90], rows[IDS["E"]]
    assert (row.stage, row.from_creation, twin.from_creation) == ("define_problem", True, False)
    assert (row.p_win, row.p_close) == (twin.p_win, twin.p_close)  # E: same age, start stage
    assert (forecast.from_creation_deals, forecast.unvalued_deals) == (1, 1)
    assert forecast.distribution.expected == pytest.approx(1050.0)  # a deal worth 0 adds 0
