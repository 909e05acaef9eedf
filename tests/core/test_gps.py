"""The deal GPS: position, progress, route, critical path, ETA, next plays, gaps, contingencies."""

from __future__ import annotations

import math
from datetime import date, timedelta, timezone
from statistics import NormalDist

import numpy as np
import pytest

from dealgraph.core.context import deal_context
from dealgraph.core.enums import DealStatus, Role
from dealgraph.core.eta import (
    StageModel,
    simulate_remaining_days,
)
from dealgraph.core.gps import gps
from dealgraph.core.history import History
from dealgraph.core.model import (
    Deal,
    DealRecord,
    Decision,
    Evidence,
    StageChange,
    Stakeholder,
)
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Contingency, Playbook
from dealgraph.core.signals import rule_holds
from tests.core.gps_fixtures import AS_OF, at, healthy_record, interaction, small_playbook

REQUIRED_FIELDS = {
    "deal_id", "as_of", "stage", "stage_title", "stage_index", "days_in_stage", "progress",
    "evidenced", "missing_criteria", "route", "critical_path", "critical_path_days", "eta",
    "next_plays", "missing_roles", "level_gaps", "contingencies", "signals",
}  # fmt: skip


def _history(**days: list[float]) -> History:
    """A history where 40 deals passed each named stage with these durations."""
    return History(stage_days=days, stage_deals=dict.fromkeys(days, 40))


# -- position, progress, route, critical path ----------------------------------------


def test_gps_of_the_healthy_deal() -> None:
    report = gps(healthy_record(), small_playbook(), History(), seed=7, as_of=AS_OF)

    assert (report.deal_id, report.stage, report.stage_title) == (
        1,
        "define",
        "Defining the problem",
    )
    assert (report.stage_index, report.stage_count, report.days_in_stage) == (2, 5, 9)
    assert report.progress == pytest.approx(0.4)
    assert report.evidenced == []
    assert [(c.key, c.title) for c in report.missing_criteria] == [
        ("problem_agreed", "Problem agreed")
    ]
    assert [(r.key, r.p50_days, r.p90_days, r.source, r.end) for r in report.route] == [
        ("define", 20.0, 50.0, "playbook", None),
        ("choose", 15.0, 45.0, "playbook", None),
        ("won", 30.0, 60.0, "playbook", "won"),
    ]
    assert [(s.decision_id, s.days, s.cumulative_days) for s in report.critical_path] == [
        (10, 10, 10),
        (11, 20, 30),
    ]
    assert report.critical_path_days == 30
    assert report.eta is not None
    assert report.eta.source_by_stage == {"define": "playbook", "choose": "playbook"}
    assert report.eta.trials == 2000
    assert report.eta.p50 <= report.eta.p90
    assert report.signals == []
    assert report.contingencies == []


def test_json_dump_has_every_field_the_cli_prints() -> None:
    dumped = gps(healthy_record(), small_playbook(), History(), as_of=AS_OF).model_dump(mode="json")

    assert REQUIRED_FIELDS <= set(dumped)
    assert set(dumped["eta"]) >= {"p50", "p90", "expected_close", "p_on_time", "source_by_stage"}
    assert dumped["as_of"] == "2025-03-01T00:00:00"
    assert dumped["eta"]["expected_close"] == "2025-04-15"
    assert dumped["critical_path"][0] == {
        "decision_id": 10, "title": "Agree the problem", "days": 10, "cumulative_days": 10
    }  # fmt: skip


def test_progress_counts_the_share_of_the_current_exit_evidenced() -> None:
    record = healthy_record()
    record.deal.stage = "team"
    record.evidence = [e for e in record.evidence if e.criterion != "eb_met"]

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert report.progress == pytest.approx((1 + 0.5) / 5)
    assert [c.key for c in report.evidenced] == ["team_named"]
    assert [c.key for c in report.missing_criteria] == ["eb_met"]
    # team -> choose (declared jump) is shorter by p50 than team -> define -> choose.
    assert [r.key for r in report.route] == ["team", "choose", "won"]


def test_won_deal_has_full_progress_no_route_no_eta_no_signals() -> None:
    record = healthy_record()
    record.deal.status = DealStatus.WON
    record.deal.stage = "won"
    record.interactions = []  # would fire no_activity on an open deal

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert (report.stage, report.status, report.progress) == ("won", "won", 1.0)
    assert report.route == [] and report.eta is None and report.signals == []
    assert report.next_plays == [] and report.critical_path == []


def test_lost_deal_keeps_its_stored_stage_and_progress() -> None:
    record = healthy_record()
    record.deal.status = DealStatus.LOST
    record.deal.stage = "choose"

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert report.stage == "choose"
    assert report.progress == pytest.approx(3 / 5)
    assert report.route == [] and report.eta is None and report.signals == []


# -- ETA -------------------------------------------------------------------------------


def test_lognormal_fit_reproduces_p50_and_p90() -> None:
    model = StageModel("define", "playbook", p50=20.0, p90=50.0)

    days = simulate_remaining_days([model], days_in_current=0.0, seed=3, trials=20_000)

    assert float(np.quantile(days, 0.5)) == pytest.approx(20.0, rel=0.03)
    assert float(np.quantile(days, 0.9)) == pytest.approx(50.0, rel=0.03)


def test_gps_eta_of_a_one_stage_route_matches_the_playbook_durations() -> None:
    record = healthy_record()
    record.deal.stage = "choose"
    record.deal.stage_entered_at = AS_OF

    report = gps(record, small_playbook(), History(), seed=11, as_of=AS_OF, trials=20_000)

    assert report.eta is not None
    assert report.eta.source_by_stage == {"choose": "playbook"}
    assert report.eta.p50_days == pytest.approx(15.0, rel=0.03)
    assert report.eta.p90_days == pytest.approx(45.0, rel=0.03)
    assert report.eta.p50 == (AS_OF + timedelta(days=report.eta.p50_days)).date()


def test_current_stage_is_conditioned_on_the_days_already_spent() -> None:
    model = StageModel("define", "playbook", p50=20.0, p90=50.0)
    spent = 30.0

    remaining = simulate_remaining_days([model], days_in_current=spent, seed=5, trials=20_000)

    # Closed form: the median of a lognormal known to exceed `spent`.
    z0 = (math.log(spent) - model.mu) / model.sigma
    tail = 1 - NormalDist().cdf(z0)
    median_total = math.exp(model.mu + model.sigma * NormalDist().inv_cdf(1 - tail / 2))
    assert float(remaining.min()) >= 0.0
    assert float(np.median(remaining + spent)) == pytest.approx(median_total, rel=0.03)


def test_same_seed_same_report_other_seed_other_eta() -> None:
    playbook, record = small_playbook(), healthy_record()

    first = gps(record, playbook, History(), seed=1, as_of=AS_OF)
    again = gps(record, playbook, History(), seed=1, as_of=AS_OF)
    other = gps(record, playbook, History(), seed=2, as_of=AS_OF)

    assert first.model_dump(mode="json") == again.model_dump(mode="json")
    assert first.eta is not None and other.eta is not None
    assert first.eta.p50_days != other.eta.p50_days


def test_history_replaces_the_playbook_where_enough_deals_passed() -> None:
    history = _history(define=[30.0] * 40, choose=[10.0] * 40)

    report = gps(healthy_record(), small_playbook(), history, as_of=AS_OF)

    assert report.eta is not None
    assert report.eta.source_by_stage == {"define": "history", "choose": "history"}
    # 30 days in define, 9 already spent, then 10 in choose.
    assert report.eta.p50_days == pytest.approx(31.0)
    assert report.eta.p90_days == pytest.approx(31.0)
    assert report.eta.p50 == date(2025, 4, 1)
    assert [(r.key, r.source, r.p50_days) for r in report.route][:2] == [
        ("define", "history", 30.0),
        ("choose", "history", 10.0),
    ]


def test_too_little_history_falls_back_to_the_playbook() -> None:
    history = _history(define=[30.0] * 40)

    report = gps(healthy_record(), small_playbook(), history, as_of=AS_OF, min_history=41)

    assert report.eta is not None
    assert report.eta.source_by_stage == {"define": "playbook", "choose": "playbook"}


def test_a_stage_past_every_known_duration_gets_a_small_remainder() -> None:
    history = _history(define=[5.0] * 40, choose=[10.0] * 40)

    report = gps(healthy_record(), small_playbook(), history, as_of=AS_OF)

    assert report.eta is not None
    assert report.eta.p50_days == pytest.approx(1.0 + 10.0)


@pytest.mark.parametrize(
    ("close", "expected"), [(date(2025, 4, 15), 1.0), (date(2025, 3, 20), 0.0)]
)
def test_probability_of_closing_on_time(close: date, expected: float) -> None:
    record = healthy_record()
    record.deal.expected_close = close

    report = gps(record, small_playbook(), _history(define=[30.0] * 40, choose=[10.0] * 40),
                 as_of=AS_OF)  # fmt: skip

    assert report.eta is not None and report.eta.p_on_time == expected


def test_no_expected_close_means_no_on_time_probability() -> None:
    record = healthy_record()
    record.deal.expected_close = None

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert report.eta is not None
    assert report.eta.expected_close is None and report.eta.p_on_time is None


# -- next plays ------------------------------------------------------------------------


def test_next_plays_without_history_rank_by_effort_and_suggest_the_first_channel() -> None:
    report = gps(healthy_record(), small_playbook(), History(), as_of=AS_OF)

    assert [p.key for p in report.next_plays] == ["discovery", "problem_workshop"]
    first = report.next_plays[0]
    assert first.suggested_channel == "field"
    assert (first.effectiveness, first.attempts, first.advanced) == (0.5, 0, 0)
    assert [c.key for c in first.criteria] == ["problem_agreed"]
    assert first.questions == ["What happens if nothing changes?"]
    assert first.roles == ["user", "champion"] and first.roles_not_engaged == []


def test_next_plays_follow_historical_effectiveness_per_channel() -> None:
    history = History(
        play_channel={
            "problem_workshop": {"field": (10, 8)},
            "discovery": {"field": (10, 1), "virtual": (4, 3)},
        }
    )

    report = gps(healthy_record(), small_playbook(), history, as_of=AS_OF)

    workshop, discovery = report.next_plays
    assert (workshop.key, workshop.effectiveness, workshop.attempts) == (
        "problem_workshop", 0.75, 10
    )  # fmt: skip
    assert (discovery.suggested_channel, discovery.effectiveness) == ("virtual", round(4 / 6, 4))
    assert (discovery.attempts, discovery.advanced) == (4, 3)


def test_plays_covering_more_missing_criteria_come_first() -> None:
    record = healthy_record()
    record.deal.stage = "team"
    record.evidence = []
    record.interactions = [interaction(1, at(2, 27), [1])]  # only the champion engaged

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert [p.key for p in report.next_plays] == ["exec_meeting", "eb_letter", "team_map"]
    assert [c.key for c in report.next_plays[0].criteria] == ["team_named", "eb_met"]
    assert report.next_plays[0].roles_not_engaged == ["economic_buyer"]
    assert report.next_plays[2].roles_not_engaged == []


# -- missing roles and level gaps --------------------------------------------------------


def test_missing_roles_and_level_gaps_per_open_decision() -> None:
    record = healthy_record()
    record.interactions = [interaction(1, at(2, 27), [1, 3])]  # champion and economic buyer
    record.decisions.append(Decision(id=14, deal_id=1, title="Reorganise", level=6))

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert [(m.decision_id, m.roles) for m in report.missing_roles] == [
        (10, ["user"]),
        (12, ["evaluator"]),
    ]
    gaps = [
        (g.decision_id, g.needed_level, g.highest_engaged_level, g.owners_engaged, g.basis)
        for g in report.level_gaps
    ]
    assert gaps == [(12, 3, 0, [], "roles"), (14, 6, 5, [1, 3], "engaged")]


def test_a_decision_whose_owner_is_not_engaged_has_a_level_gap() -> None:
    record = healthy_record()
    for item in record.interactions:
        item.participants = [p for p in item.participants if p != 3] or [1]

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    gap = next(g for g in report.level_gaps if g.decision_id == 11)
    assert (gap.needed_level, gap.highest_engaged_level, gap.owners_engaged) == (5, 0, [])
    assert gap.basis == "owners"
    assert (11, ["economic_buyer"]) in [(m.decision_id, m.roles) for m in report.missing_roles]


def test_decision_without_roles_takes_them_from_its_template() -> None:
    record = healthy_record()
    record.decisions[1].roles = []
    record.interactions = [interaction(1, at(2, 27), [1, 2, 4])]

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert (11, ["economic_buyer"]) in [(m.decision_id, m.roles) for m in report.missing_roles]


# -- contingencies ---------------------------------------------------------------------


def test_contingencies_that_hold_on_the_deal_are_reported() -> None:
    record = healthy_record()
    record.stakeholders[3].stance = -1

    report = gps(record, small_playbook(), History(), as_of=AS_OF)

    assert [(c.when, c.play) for c in report.contingencies] == [("opponents > 0", "discovery")]
    assert report.contingencies[0].advice == "Meet the opponents first."


def test_a_failing_contingency_rule_is_reported_not_raised() -> None:
    playbook = small_playbook()
    define = playbook.stage("define").model_copy(
        update={"contingencies": [Contingency(when="evidence", advice="never")]}
    )
    stages = [define if s.key == "define" else s for s in playbook.stages]
    broken = playbook.model_copy(update={"stages": stages})

    report = gps(healthy_record(), broken, History(), as_of=AS_OF)

    assert report.contingencies == []
    assert len(report.rule_errors) == 1
    assert report.rule_errors[0].startswith("stages -> define -> contingencies -> 0:")
    assert "boolean" in report.rule_errors[0]


def test_gps_does_not_change_its_input() -> None:
    record = healthy_record()
    before = record.model_dump()

    gps(record, small_playbook(), History(), as_of=AS_OF)

    assert record.model_dump() == before


def test_default_as_of_is_now_in_naive_utc() -> None:
    report = gps(healthy_record(), small_playbook(), History())

    assert report.as_of.tzinfo is None
    assert report.as_of > AS_OF
    assert report.days_in_stage > 9


def test_an_aware_as_of_is_read_as_utc() -> None:
    aware = (AS_OF + timedelta(hours=2)).replace(tzinfo=timezone(timedelta(hours=2)))

    report = gps(healthy_record(), small_playbook(), History(), seed=4, as_of=aware)

    naive = gps(healthy_record(), small_playbook(), History(), seed=4, as_of=AS_OF)
    assert report.model_dump() == naive.model_dump()


# -- the shipped playbooks -------------------------------------------------------------


def _deal_on(playbook: Playbook) -> DealRecord:
    """A deal in the playbook's third stage with its template decisions, built by hand."""
    order = playbook.journey_order
    done = [c for stage in playbook.stages[:2] for c in stage.exit]
    current = playbook.stages[2]
    ids = {template.key: 1 + n for n, template in enumerate(playbook.decisions)}
    roles = [Role.CHAMPION, Role.EVALUATOR, Role.ECONOMIC_BUYER, Role.USER, Role.APPROVER]
    return DealRecord(
        deal=Deal(
            id=1, title="Shipped", owner="sam", created_at=at(1, 1), playbook=playbook.key,
            stage=current.key, stage_entered_at=at(2, 10), expected_close=date(2025, 6, 30),
        ),
        stakeholders=[
            Stakeholder(id=n + 1, deal_id=1, name=f"P{n}", role=role, level=2 + n, stance=1)
            for n, role in enumerate(roles)
        ],
        decisions=[
            Decision(
                id=ids[t.key], deal_id=1, key=t.key, title=t.title, stage=t.stage,
                requires=[ids[r] for r in t.requires], roles=list(t.roles), level=t.level,
                expected_days=t.days,
            )
            for t in playbook.decisions
        ],
        interactions=[interaction(10, at(2, 20), [1, 2]), interaction(11, at(2, 25), [3])],
        evidence=[
            Evidence(deal_id=1, criterion=c, recorded_at=at(2, 1))
            for c in [*done, current.exit[0]]
        ],
        stage_changes=[
            StageChange(from_stage=order[0], to_stage=order[1], changed_at=at(1, 20)),
            StageChange(from_stage=order[1], to_stage=order[2], changed_at=at(2, 10)),
        ],
    )  # fmt: skip


@pytest.mark.parametrize("key", ["buyer-journey", "meddpicc"])
def test_gps_on_a_shipped_playbook(key: str) -> None:
    playbook = get_playbook(key)
    record = _deal_on(playbook)
    current = playbook.stages[2]

    report = gps(record, playbook, History(), seed=3, as_of=AS_OF)

    assert report.stage == current.key
    assert report.progress == pytest.approx(
        round((2 + 1 / len(current.exit)) / len(playbook.stages), 4)
    )
    assert report.route[0].key == current.key and report.route[-1].end == "won"
    assert report.eta is not None and report.eta.p50 > AS_OF.date()
    assert set(report.eta.source_by_stage) == {r.key for r in report.route if r.end is None}
    assert report.critical_path and report.critical_path_days == sum(
        step.days for step in report.critical_path
    )
    missing = {c.key for c in report.missing_criteria}
    assert missing == set(current.exit[1:])
    assert report.next_plays
    assert all({c.key for c in p.criteria} <= missing for p in report.next_plays)
    assert report.rule_errors == []
    assert [s.key for s in report.signals if s.severity == "info" and s.source == "playbook"] == []


@pytest.mark.parametrize("key", ["buyer-journey", "meddpicc"])
def test_every_shipped_rule_evaluates_on_real_deals(key: str) -> None:
    playbook = get_playbook(key)
    empty = DealRecord(deal=Deal(title="Empty", owner="sam", created_at=at(2, 1), playbook=key))
    rules = [s.when for s in playbook.signals] + [
        c.when for stage in playbook.stages for c in stage.contingencies
    ]

    for record in (_deal_on(playbook), empty):
        context = deal_context(record, playbook, as_of=AS_OF)
        results = [rule_holds(rule, context) for rule in rules]
        assert all(isinstance(r, bool) for r in results)
    assert rules
