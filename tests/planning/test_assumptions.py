"""Joining history and a plan file: sources, the win rate kept equal to the conversions, gaps."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dealgraph.core.enums import Channel
from dealgraph.core.playbook import get_playbook
from dealgraph.errors import InvalidInput
from dealgraph.planning.assumptions import PlanRates, resolve_rates
from dealgraph.planning.period import parse_period
from dealgraph.planning.plan_file import PlanFile
from dealgraph.planning.rates import ChannelRate, HistoryRates, Rate, StageRate, StageTiming

BOOK = get_playbook("meddpicc")
STAGES = ["discover", "qualify", "validate", "commit", "closed_won"]
SHARES = [0.8, 0.5, 0.9, 1.0]  # multiply to 0.36
Q1 = parse_period("2027Q1")


def seen(value: float, deals: int) -> Rate:
    return Rate(value=value, source="history", deals=deals)


def history(**overrides: Any) -> HistoryRates:
    """A history with 50 closed deals, 18 won (0.36 = the conversions' product)."""
    fields: dict[str, Any] = {
        "playbook": "meddpicc",
        "deals": 60,
        "other_playbooks": 0,
        "closed": 50,
        "won": 18,
        "currency": "USD",
        "won_by_currency": {"EUR": 3, "USD": 15},
        "left_out": 3,
        "average_deal": seen(40_000, 15),
        "win_rate": seen(0.36, 50),
        "conversions": [
            StageRate(
                stage=STAGES[i],
                title=STAGES[i],
                next_stage=STAGES[i + 1],
                next_title=STAGES[i + 1],
                rate=seen(share, 50),
            )
            for i, share in enumerate(SHARES)
        ],
        "cycle_p50": seen(80, 18),
        "cycle_p90": seen(96, 18),
        "timing": [
            StageTiming(stage=s, title=s, p50=p50, p90=p50 * 1.2, source="history", deals=18)
            for s, p50 in zip(STAGES, (80, 60, 40, 20), strict=False)
        ],
        "channels": [
            ChannelRate(channel=Channel.FIELD, conversation=True, rate=seen(1.0, 40)),
            ChannelRate(channel=Channel.PHONE, conversation=True, rate=seen(2.0, 40)),
            ChannelRate(channel=Channel.EMAIL, conversation=False, rate=seen(4.0, 40)),
        ],
        "conversations_per_advance": seen(3.0, 40),
        "activities_per_advance": seen(7.0, 40),
        "sellers": seen(6, 55),
    }
    return HistoryRates.model_validate(fields | overrides)


def resolve(plan: PlanFile | None = None, option: int | None = None, **changes: Any) -> PlanRates:
    """Resolve ``plan`` over the history changed by ``changes``; ``option`` is --sellers."""
    return resolve_rates(
        history(**changes), plan or PlanFile(), playbook=BOOK, period=Q1, sellers=option
    )


def shares(rates: PlanRates) -> list[float]:
    return [c.rate.value for c in rates.conversions]


def test_history_alone() -> None:
    rates = resolve()
    assert shares(rates) == SHARES
    assert rates.win_rate.value == pytest.approx(0.36)
    assert rates.win_rate.label() == "history (n=50)"
    assert rates.average_deal.label() == "history (n=15)"
    assert rates.weeks.value == 90 / 7 and rates.weeks.label() == "default (period length)"
    assert rates.notes == [
        "average deal from the 15 won deals in USD; 3 won deals in other currencies left out "
        "(EUR 3)"
    ]


def test_plan_win_rate_scales_history_conversions_evenly() -> None:
    rates = resolve(PlanFile(win_rate=0.3))
    factor = (0.3 / 0.36) ** (1 / 4)
    assert shares(rates) == pytest.approx([s * factor for s in SHARES])
    assert math.prod(shares(rates)) == pytest.approx(0.3)
    assert rates.win_rate.label() == "plan file"
    assert rates.conversions[0].rate.label() == "history (n=50), scaled to the plan's win rate"


def test_scaling_stops_every_conversion_at_one() -> None:
    # 0.5 / 0.36: commit (1.0) and then validate (0.9 x 1.116) reach 1 and stay there; the
    # rest share the remaining factor sqrt(0.5 / 0.4) evenly.
    rates = resolve(PlanFile(win_rate=0.5))
    factor = math.sqrt(0.5 / 0.4)
    assert shares(rates) == pytest.approx([0.8 * factor, 0.5 * factor, 1.0, 1.0])
    assert math.prod(shares(rates)) == pytest.approx(0.5)


def test_plan_conversions_stay_as_written() -> None:
    rates = resolve(PlanFile(win_rate=0.3, conversion={"qualify": 0.6}))
    assert rates.conversions[1].rate.value == 0.6
    assert rates.conversions[1].rate.label() == "plan file"
    assert math.prod(shares(rates)) == pytest.approx(0.3)


def test_without_a_plan_win_rate_it_follows_the_conversions() -> None:
    rates = resolve(PlanFile(conversion={"qualify": 0.6}))
    assert shares(rates) == [0.8, 0.6, 0.9, 1.0]
    assert rates.win_rate.value == pytest.approx(0.8 * 0.6 * 0.9)
    assert rates.win_rate.label() == "derived (product of the stage conversions)"


def test_a_win_rate_the_conversions_cannot_reach() -> None:
    plan = PlanFile(win_rate=0.9, conversion={"qualify": 0.5})
    with pytest.raises(InvalidInput) as error:
        resolve(plan)
    assert error.value.where == "win_rate"
    assert "multiply to 50.0%, not the plan file's win_rate 90.0%" in str(error.value)


def test_all_conversions_and_a_disagreeing_win_rate() -> None:
    every = dict(zip(STAGES, SHARES, strict=False))
    assert shares(resolve(PlanFile(win_rate=0.36, conversion=every))) == SHARES
    with pytest.raises(InvalidInput) as error:
        resolve(PlanFile(win_rate=0.4, conversion=every))
    assert "leave win_rate out" in str(error.value)


def test_no_history_names_each_missing_rate() -> None:
    empty: dict[str, Any] = {
        "closed": 0,
        "won": 0,
        "won_by_currency": {},
        "left_out": 0,
        "average_deal": None,
        "win_rate": None,
        "conversions": [],
        "cycle_p50": None,
        "cycle_p90": None,
        "timing": [],
        "channels": [],
        "conversations_per_advance": None,
        "activities_per_advance": None,
        "sellers": None,
    }
    with pytest.raises(InvalidInput, match="no won deals in the workspace: set average_deal"):
        resolve(**empty)
    with pytest.raises(InvalidInput, match="no closed deals in the workspace: set win_rate"):
        resolve(PlanFile(average_deal=50_000), **empty)
    with pytest.raises(InvalidInput, match="no active sellers in the workspace: pass --sellers"):
        resolve(PlanFile(average_deal=50_000, win_rate=0.2), **empty)
    rates = resolve(PlanFile(average_deal=50_000, win_rate=0.2, sellers=3), **empty)
    assert rates.conversions == [] and rates.notes[0].startswith("no stage history")
    # Time falls back to the playbook's stage durations (p50s and p90s summed).
    assert rates.cycle_p50.value == sum(BOOK.stage(s).duration.p50 for s in STAGES[:4])
    assert rates.cycle_p50.label() == "default (playbook durations)"
    assert rates.timing[0].p50 == rates.cycle_p50.value


def test_no_won_deals_among_closed_ones() -> None:
    zero = [c.model_copy(update={"rate": seen(0.0, 50)}) for c in history().conversions]
    with pytest.raises(InvalidInput, match="no won deals among the 50 closed deals"):
        resolve(won=0, conversions=zero, win_rate=seen(0.0, 50))
    with pytest.raises(InvalidInput) as error:  # the plan's win rate cannot rescue zeros
        resolve(PlanFile(win_rate=0.2), won=0, conversions=zero, win_rate=seen(0.0, 50))
    assert error.value.where == "conversion -> discover"


def test_some_stages_without_history_or_plan() -> None:
    with pytest.raises(InvalidInput) as error:
        resolve(PlanFile(conversion={"discover": 0.5}), conversions=[])
    assert error.value.where == "conversion"
    assert "conversion out of qualify, validate, commit" in str(error.value)


def test_currency_without_won_deals() -> None:
    with pytest.raises(InvalidInput) as error:
        resolve(currency="CHF", average_deal=None, left_out=18)
    assert "no won deals in CHF (won deals by currency: EUR 3, USD 15)" in str(error.value)


def test_cycle_override_scales_the_stage_timing() -> None:
    rates = resolve(PlanFile(cycle_days=100))
    assert (rates.cycle_p50.value, rates.cycle_p90.value) == (100, pytest.approx(120))
    assert [t.p50 for t in rates.timing] == pytest.approx([100, 75, 50, 25])
    assert rates.cycle_p90.label() == "derived (scaled with cycle_days)"
    with pytest.raises(InvalidInput) as error:
        resolve(PlanFile(cycle_days=100, cycle_days_p90=90))
    assert error.value.where == "cycle_days_p90"


def test_channel_mix_follows_the_plan_totals() -> None:
    rates = resolve(PlanFile(conversations_per_advance=6, activities_per_advance=8))
    per = {c.channel.value: c.rate.value for c in rates.channels}
    assert per == {"field": 2.0, "phone": 4.0, "email": 2.0}  # conversations x2, the rest /2
    with pytest.raises(InvalidInput) as error:  # more conversations than history's 7 activities
        resolve(PlanFile(conversations_per_advance=8))
    assert error.value.where == "activities_per_advance"


def test_sellers_option_beats_plan_beats_history() -> None:
    assert resolve().sellers.label() == "history (n=55)"
    assert resolve(PlanFile(sellers=4)).sellers.value == 4
    assert resolve(PlanFile(sellers=4), option=9).sellers.label() == "option"
    with pytest.raises(InvalidInput) as error:
        resolve(option=0)
    assert error.value.where == "sellers"
