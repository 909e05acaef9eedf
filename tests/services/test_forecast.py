"""The forecast and backtest use cases on the demo workspace in a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from dealgraph.core.playbook import get_playbook
from dealgraph.demo import build_demo
from dealgraph.errors import InvalidInput
from dealgraph.planning.forecast import forecast_pipeline
from dealgraph.planning.period import parse_period
from dealgraph.services.forecast import backtest_quarters, forecast_period
from dealgraph.settings import Settings
from dealgraph.store.db import Database, open_database
from dealgraph.store.deals import history_fingerprint, load_deal_records

AS_OF = datetime(2025, 6, 1)
PERIOD = parse_period("2025Q3")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('forecast') / 'demo.db'}")
    build_demo(database, seed=7, as_of=AS_OF)
    yield database
    database.dispose()


def test_the_service_forecasts_what_the_pure_function_does_on_the_stored_deals(
    demo: Database,
) -> None:
    with demo.session() as session:
        result = forecast_period(
            session, period=PERIOD, quota=2_000_000, trials=2000, seed=4, as_of=AS_OF
        )
        records = load_deal_records(session)
    pure = forecast_pipeline(
        records,
        {"buyer-journey": get_playbook("buyer-journey")},
        PERIOD,
        as_of=AS_OF,
        quota=2_000_000,
        trials=2000,
        seed=4,
    )
    assert result == pure
    usd_open = [r for r in records if r.deal.status == "open" and r.deal.currency == "USD"]
    assert result.currency == "USD" and result.open_deals == len(usd_open)
    assert result.other_currency_deals == sum(1 for r in records if r.deal.status == "open") - len(
        usd_open
    )
    dist = result.distribution
    assert abs(dist.mc_mean - dist.expected) <= 3 * dist.standard_error
    assert dist.p10 <= dist.p50 <= dist.p90
    assert result.gap == pytest.approx(2_000_000 - dist.p50)
    assert len(result.drivers) == 10
    shares = [d.variance_share for d in result.drivers]
    assert shares == sorted(shares, reverse=True)


def test_a_trained_models_probabilities_are_used_where_given(demo: Database) -> None:
    with demo.session() as session:
        base = forecast_period(session, period=PERIOD, trials=500, as_of=AS_OF, top=1000)
        chosen = base.drivers[0]
        given = forecast_period(
            session,
            period=PERIOD,
            trials=500,
            as_of=AS_OF,
            top=1000,
            p_win={chosen.deal_id: 1.0},
        )
    assert base.distribution.expected == pytest.approx(
        base.already_won + sum(d.expected for d in base.drivers)
    )
    row = next(d for d in given.drivers if d.deal_id == chosen.deal_id)
    assert row.p_win == 1.0 and row.p_win_source == "model"
    assert sum(d.p_win_source == "model" for d in given.drivers) == 1
    lift = chosen.value * chosen.p_close * (1.0 - chosen.p_win)
    assert given.distribution.expected == pytest.approx(base.distribution.expected + lift)


def test_the_history_minimum_comes_from_the_settings(demo: Database) -> None:
    with demo.session() as session:
        pooled = forecast_period(
            session,
            period=PERIOD,
            trials=200,
            as_of=AS_OF,
            settings=Settings(history_min_deals=10_000),
        )
    journey = get_playbook("buyer-journey").journey_order
    for stage in pooled.stages:
        assert sorted([stage.stage, *stage.pooled_with]) == sorted(journey[:-1])


def test_bad_input_is_refused_and_changes_nothing(demo: Database) -> None:
    with demo.session() as session:
        before = history_fingerprint(session)
        with pytest.raises(InvalidInput) as currency:
            forecast_period(session, period=PERIOD, currency="JPY", as_of=AS_OF)
        with pytest.raises(InvalidInput) as quota:
            forecast_period(session, period=PERIOD, quota=-1.0, as_of=AS_OF)
        with pytest.raises(InvalidInput) as periods:
            backtest_quarters(session, periods=0, as_of=AS_OF)
        assert history_fingerprint(session) == before
    assert (currency.value.where, quota.value.where, periods.value.where) == (
        "currency",
        "quota",
        "periods",
    )
    assert "currencies: EUR, GBP, USD" in str(currency.value)


def test_the_backtest_scores_the_last_whole_quarters(demo: Database) -> None:
    with demo.session() as session:
        result = backtest_quarters(session, periods=4, trials=1000, seed=2, as_of=AS_OF)
    labels = [r.period.label for r in result.periods] + result.skipped
    assert sorted(labels) == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert result.skipped == ["2024Q2"]
    assert result.inside_band_share is not None and 0 <= result.inside_band_share <= 1
