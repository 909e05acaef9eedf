"""The simulation's parts: stage-time fit, clock, buying teams and the planned trip."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from dealgraph.core.enums import DealStatus, Influence
from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo.journey import Flags, plan_journey, working_stages
from dealgraph.demo.model import hazard, trip_model
from dealgraph.demo.team import build_team
from dealgraph.demo.world import HISTORY_DAYS, Clock
from tests.demo.conftest import tiny_playbook


def test_stage_days_follow_the_stage_p50_and_p90(buyer_journey: Playbook) -> None:
    rng = np.random.default_rng(0)
    stage = trip_model(buyer_journey).stage("define_problem")  # days: p50 21, p90 45
    draws = np.array([stage.days(rng, 1.0) for _ in range(20_000)])
    assert np.median(draws) == pytest.approx(21, rel=0.05)
    assert np.quantile(draws, 0.9) == pytest.approx(45, rel=0.07)
    doubled = np.array([stage.days(rng, 2.0) for _ in range(20_000)])
    assert np.median(doubled) == pytest.approx(2 * 21, rel=0.05)


def test_hazard_is_a_probability_and_falls_along_the_journey() -> None:
    early, late = hazard(0, 8), hazard(7, 8)
    assert 0 < late < early < 1
    # shorter journeys get a larger per-stage hazard
    assert hazard(0, 4) > early


def test_clock_keeps_order_works_office_hours_and_stops_at_as_of() -> None:
    as_of = datetime(2026, 3, 4, 9, 15, 42)
    clock = Clock.ending(as_of)
    days = np.sort(np.random.default_rng(1).uniform(-3, HISTORY_DAYS + 3, size=5000))
    times = [clock.at(float(d)) for d in days]
    assert times == sorted(times)
    assert times[0] >= as_of - timedelta(days=HISTORY_DAYS)
    assert max(times) == as_of
    for moment in times:
        if moment != as_of:
            assert 8 * 60 <= moment.hour * 60 + moment.minute <= 18 * 60 + 30


@pytest.mark.parametrize("segment", ["SMB", "mid-market", "enterprise"])
def test_teams_are_trees_of_plausible_people(segment: str) -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        team = build_team(
            rng, segment=segment, first_id=100, has_champion=True, hidden_opponent=True
        )
        assert 3 <= len(team) <= 12
        assert [p.id for p in team] == list(range(100, 100 + len(team)))
        levels = {p.id: p.level for p in team}
        for person in team[1:]:
            assert person.reports_to is not None and person.reports_to < person.id
            assert levels[person.reports_to] >= person.level
        assert team[0].reports_to is None
        hidden = [p for p in team if p.hidden]
        assert len(hidden) == 1 and hidden[0].stance < 0
        assert hidden[0].influence == Influence.HIGH
        assert len({p.name for p in team}) == len(team)


def test_a_riskless_trip_walks_every_working_stage_to_the_win() -> None:
    playbook = tiny_playbook()
    journey = plan_journey(
        np.random.default_rng(2),
        playbook,
        trip_model(playbook),
        created=0.0,
        horizon=400.0,
        pace=1.0,
        risk=0.0,
        flags=Flags(),
    )
    assert journey.status == DealStatus.WON and journey.won_stage == "live"
    assert [v.stage for v in journey.visits] == [s.key for s in working_stages(playbook)]
    for before, after in zip(journey.visits, journey.visits[1:], strict=False):
        assert before.end == after.start and before.to_stage == after.stage
        assert before.criteria[-1][1] == before.end
    assert journey.closed == journey.visits[-1].end


def test_a_trip_past_the_horizon_stays_open() -> None:
    journey = plan_journey(
        np.random.default_rng(2),
        tiny_playbook(),
        trip_model(tiny_playbook()),
        created=99.0,
        horizon=100.0,
        pace=1.0,
        risk=0.0,
        flags=Flags(),
    )
    assert journey.status == DealStatus.OPEN and journey.closed is None
    assert journey.visits[-1].end > 100.0
