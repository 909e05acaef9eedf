"""Signals: each built-in fires on its case and stays quiet on a near miss; playbook rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dealgraph.core.enums import DealStatus, Direction, Influence, ResponseMode, Role
from dealgraph.core.history import History
from dealgraph.core.model import CloseDateChange, DealRecord, StageChange, Stakeholder
from dealgraph.core.playbook.schema import Playbook, SignalRule
from dealgraph.core.signals import BUILTIN_SIGNALS, Signal, evaluate_signals
from tests.core.gps_fixtures import AS_OF, at, healthy_record, interaction, small_playbook


def signals_of(
    record: DealRecord,
    *,
    as_of: datetime = AS_OF,
    history: History | None = None,
    playbook: Playbook | None = None,
) -> list[Signal]:
    return evaluate_signals(record, playbook or small_playbook(), history or History(), as_of=as_of)


def fired(
    record: DealRecord,
    key: str,
    *,
    as_of: datetime = AS_OF,
    history: History | None = None,
    playbook: Playbook | None = None,
) -> Signal | None:
    found = [
        s
        for s in signals_of(record, as_of=as_of, history=history, playbook=playbook)
        if s.key == key
    ]
    assert len(found) <= 1
    return found[0] if found else None


def without(record: DealRecord, stakeholder_id: int, stand_in: int = 2) -> DealRecord:
    """The record with one stakeholder taken out of every interaction."""
    for item in record.interactions:
        item.participants = [p for p in item.participants if p != stakeholder_id] or [stand_in]
    return record


def test_the_library_has_every_documented_signal() -> None:
    assert [s.key for s in BUILTIN_SIGNALS] == [
        "no_activity", "ghosted", "stalled", "single_threaded", "no_power",
        "missing_economic_buyer", "missing_champion", "unaddressed_opponent",
        "complacent_economic_buyer", "stage_skipped", "regression", "close_date_slipped",
        "new_senior_player_late", "cadence_drop",
    ]  # fmt: skip


def test_the_healthy_deal_fires_nothing() -> None:
    assert signals_of(healthy_record()) == []


# -- no_activity ---------------------------------------------------------------------------


def test_no_activity_fires_after_21_quiet_days() -> None:
    record = healthy_record()
    record.interactions = record.interactions[:6]  # last one 2 Feb 10:00

    signal = fired(record, "no_activity")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.interactions == [105]
    assert signal.evidence.stakeholders == [1, 2]
    assert signal.evidence.numbers == {"days_since_last_interaction": 26, "threshold_days": 21}
    assert "26 days" in signal.message
    critical = fired(record, "no_activity", as_of=at(3, 20))
    assert critical is not None and critical.severity == "critical"


def test_no_activity_stays_quiet_at_20_days() -> None:
    assert fired(healthy_record(), "no_activity", as_of=AS_OF + timedelta(days=18)) is None


# -- ghosted -------------------------------------------------------------------------------


def _chase(record: DealRecord, count: int) -> DealRecord:
    for n in range(count):
        record.interactions.append(
            interaction(201 + n, at(2, 27, 8 + n), [1 if n % 2 == 0 else 3],
                        direction=Direction.OUTBOUND)
        )  # fmt: skip
    return record


def test_ghosted_fires_on_three_unanswered_outbound_touches() -> None:
    signal = fired(_chase(healthy_record(), 3), "ghosted")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.interactions == [201, 202, 203]
    assert signal.evidence.stakeholders == [1, 3]
    assert signal.evidence.numbers == {"outbound_in_a_row": 3, "days_since_last_reply": 2}
    five = fired(_chase(healthy_record(), 5), "ghosted")
    assert five is not None and five.severity == "critical"


def test_ghosted_stays_quiet_when_the_buyer_replies() -> None:
    record = _chase(healthy_record(), 3)
    record.interactions.append(interaction(210, at(2, 28), [1], direction=Direction.INBOUND))

    assert fired(record, "ghosted") is None
    assert fired(_chase(healthy_record(), 2), "ghosted") is None


# -- stalled -------------------------------------------------------------------------------


def test_stalled_fires_past_the_playbook_p90() -> None:
    record = healthy_record()
    record.deal.stage_entered_at = at(1, 5)
    record.stage_changes[1].changed_at = at(1, 5)

    signal = fired(record, "stalled")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.numbers == {"days_in_stage": 55, "p90_days": 50.0}
    assert "from the playbook" in signal.message


def test_stalled_reads_history_when_enough_deals_passed_the_stage() -> None:
    history = History(stage_days={"define": [5.0] * 40}, stage_deals={"define": 40})

    signal = fired(healthy_record(), "stalled", history=history)

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.numbers == {"days_in_stage": 9, "p90_days": 5.0}
    assert "from the history" in signal.message
    critical = fired(healthy_record(), "stalled", history=history, as_of=at(3, 5))
    assert critical is not None and critical.severity == "critical"


def test_stalled_stays_quiet_within_p90() -> None:
    assert fired(healthy_record(), "stalled") is None
    few = History(stage_days={"define": [5.0] * 29}, stage_deals={"define": 29})
    assert fired(healthy_record(), "stalled", history=few) is None


# -- single_threaded -----------------------------------------------------------------------


def test_single_threaded_fires_with_one_engaged_person_past_the_first_stage() -> None:
    record = healthy_record()
    for item in record.interactions:
        item.participants = [1]

    signal = fired(record, "single_threaded")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.stakeholders == [1]
    assert signal.evidence.numbers["engaged_count"] == 1


def test_single_threaded_fires_when_every_recent_touch_reached_one_person() -> None:
    record = healthy_record()
    for item in record.interactions[5:]:
        item.participants = [2]

    signal = fired(record, "single_threaded")

    assert signal is not None
    assert signal.evidence.stakeholders == [2]
    assert signal.evidence.interactions == [105, 106, 107, 108, 109]
    assert signal.evidence.numbers == {
        "engaged_count": 4, "recent_interactions": 5, "people_in_recent": 1
    }  # fmt: skip


def test_single_threaded_stays_quiet_in_the_first_stage() -> None:
    record = healthy_record()
    record.deal.stage = "spark"
    record.interactions = [interaction(1, at(2, 27), [1])]

    assert fired(record, "single_threaded") is None
    assert fired(healthy_record(), "single_threaded") is None


# -- no_power ------------------------------------------------------------------------------


def test_no_power_fires_when_nobody_engaged_reaches_the_needed_level() -> None:
    signal = fired(without(healthy_record(), 3), "no_power")

    assert signal is not None and signal.severity == "critical"
    assert signal.evidence.numbers == {"highest_engaged_level": 3, "needed_level": 5}
    assert signal.evidence.decisions == [11]
    assert signal.evidence.stakeholders == [1, 2]


def test_no_power_is_a_warning_one_level_short() -> None:
    record = without(healthy_record(), 3)
    record.decisions[1].level = 4

    signal = fired(record, "no_power")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.numbers == {"highest_engaged_level": 3, "needed_level": 4}


def test_no_power_stays_quiet_when_the_level_is_engaged() -> None:
    assert fired(healthy_record(), "no_power") is None


# -- missing_economic_buyer / missing_champion ---------------------------------------------


def test_missing_economic_buyer_fires_when_the_buyer_has_not_engaged() -> None:
    signal = fired(without(healthy_record(), 3), "missing_economic_buyer")

    assert signal is not None and signal.severity == "critical"
    assert signal.evidence.stakeholders == [3]
    assert signal.evidence.numbers == {"stage_index": 2, "holders": 1}
    assert "Bea" in signal.message


def test_missing_economic_buyer_fires_when_nobody_holds_the_role() -> None:
    record = without(healthy_record(), 3)
    record.stakeholders = [s for s in record.stakeholders if s.id != 3]

    signal = fired(record, "missing_economic_buyer")

    assert signal is not None
    assert signal.evidence.stakeholders == []
    assert signal.evidence.numbers == {"stage_index": 2, "holders": 0}


def test_missing_economic_buyer_stays_quiet_early_or_when_engaged() -> None:
    early = without(healthy_record(), 3)
    early.deal.stage = "team"

    assert fired(early, "missing_economic_buyer") is None
    assert fired(healthy_record(), "missing_economic_buyer") is None


def test_missing_champion_fires_from_the_second_stage() -> None:
    record = without(healthy_record(), 1)
    record.deal.stage = "team"

    signal = fired(record, "missing_champion")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.stakeholders == [1]
    assert signal.evidence.numbers == {"stage_index": 1, "holders": 1}
    late = fired(without(healthy_record(), 1), "missing_champion")
    assert late is not None and late.severity == "critical"


def test_missing_champion_stays_quiet_in_the_first_stage_or_when_engaged() -> None:
    record = without(healthy_record(), 1)
    record.deal.stage = "spark"

    assert fired(record, "missing_champion") is None
    assert fired(healthy_record(), "missing_champion") is None


# -- unaddressed_opponent ------------------------------------------------------------------


def _opponent(record: DealRecord, stance: int = -1) -> DealRecord:
    record.stakeholders[3].influence = Influence.HIGH
    record.stakeholders[3].stance = stance
    return record


def test_unaddressed_opponent_fires_after_30_days_without_a_touch() -> None:
    record = _opponent(healthy_record())
    record.interactions[6].participants = [1]  # Uma's last touch is now 15 Jan

    signal = fired(record, "unaddressed_opponent")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.stakeholders == [4]
    assert signal.evidence.interactions == [102]
    assert signal.evidence.numbers == {"opponents": 1, "max_days_since_touch": 44}
    enemy = _opponent(healthy_record(), stance=-2)
    enemy.interactions[6].participants = [1]
    critical = fired(enemy, "unaddressed_opponent")
    assert critical is not None and critical.severity == "critical"


def test_unaddressed_opponent_fires_for_an_opponent_never_met() -> None:
    record = healthy_record()
    record.stakeholders.append(
        Stakeholder(id=5, deal_id=1, name="Ivo", stance=-1, influence=Influence.HIGH)
    )

    signal = fired(record, "unaddressed_opponent")

    assert signal is not None
    assert signal.evidence.interactions == []
    assert signal.evidence.numbers == {"opponents": 1, "max_days_since_touch": 59}


def test_unaddressed_opponent_stays_quiet_when_touched_recently_or_low_influence() -> None:
    assert fired(_opponent(healthy_record()), "unaddressed_opponent") is None  # touched 8 Feb
    record = _opponent(healthy_record())
    record.stakeholders[3].influence = Influence.MEDIUM
    record.interactions[6].participants = [1]
    assert fired(record, "unaddressed_opponent") is None


# -- complacent_economic_buyer -------------------------------------------------------------


def test_complacent_economic_buyer_fires_on_even_keel_or_overconfident() -> None:
    for mode in (ResponseMode.EVEN_KEEL, ResponseMode.OVERCONFIDENT):
        record = healthy_record()
        record.stakeholders[2].response_mode = mode

        signal = fired(record, "complacent_economic_buyer")

        assert signal is not None and signal.severity == "warning"
        assert signal.evidence.stakeholders == [3]
        assert mode.value in signal.message


def test_complacent_economic_buyer_stays_quiet_for_other_roles_or_modes() -> None:
    record = healthy_record()
    record.stakeholders[1].response_mode = ResponseMode.OVERCONFIDENT  # an evaluator
    record.stakeholders[2].response_mode = ResponseMode.GROWTH

    assert fired(record, "complacent_economic_buyer") is None


# -- stage_skipped / regression ------------------------------------------------------------


def test_stage_skipped_fires_on_a_jump_the_playbook_does_not_declare() -> None:
    record = healthy_record()
    record.stage_changes = [
        StageChange(id=9, from_stage="spark", to_stage="define", changed_at=at(2, 20),
                    interaction_id=108)
    ]  # fmt: skip

    signal = fired(record, "stage_skipped")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.interactions == [108]
    assert signal.evidence.numbers == {"skips": 1, "stages_skipped": 1}
    assert "team" in signal.message


def test_stage_skipped_stays_quiet_on_a_declared_jump() -> None:
    record = healthy_record()
    record.deal.stage = "choose"
    record.stage_changes[1] = StageChange(
        id=2, from_stage="team", to_stage="choose", changed_at=at(2, 20)
    )

    assert fired(record, "stage_skipped") is None
    assert fired(healthy_record(), "stage_skipped") is None


def test_regression_fires_on_a_move_backwards() -> None:
    record = healthy_record()
    record.stage_changes += [
        StageChange(id=3, from_stage="define", to_stage="spark", changed_at=at(2, 22),
                    interaction_id=108),
        StageChange(id=4, from_stage="spark", to_stage="define", changed_at=at(2, 24)),
    ]  # fmt: skip

    signal = fired(record, "regression")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.interactions == [108]
    assert signal.evidence.numbers == {"regressions": 1, "stages_back": 2}


def test_regression_stays_quiet_on_forward_moves() -> None:
    assert fired(healthy_record(), "regression") is None


# -- close_date_slipped --------------------------------------------------------------------


def _slips(*dates: date) -> list[CloseDateChange]:
    return [
        CloseDateChange(id=n, changed_at=at(2, 1 + n), from_date=a, to_date=b)
        for n, (a, b) in enumerate(zip(dates, dates[1:], strict=False))
    ]


def test_close_date_slipped_counts_slips_and_days() -> None:
    record = healthy_record()
    record.close_date_changes = _slips(date(2025, 3, 15), date(2025, 3, 31), date(2025, 4, 15))

    signal = fired(record, "close_date_slipped")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.numbers == {"slips": 2, "days_slipped": 31}
    record.close_date_changes = _slips(
        date(2025, 3, 1), date(2025, 3, 15), date(2025, 3, 31), date(2025, 4, 15)
    )
    critical = fired(record, "close_date_slipped")
    assert critical is not None and critical.severity == "critical"


def test_close_date_slipped_stays_quiet_when_the_date_moved_earlier() -> None:
    record = healthy_record()
    record.close_date_changes = _slips(date(2025, 5, 1), date(2025, 4, 15))

    assert fired(record, "close_date_slipped") is None


# -- new_senior_player_late ----------------------------------------------------------------


def _newcomer(level: int, added: datetime) -> Stakeholder:
    return Stakeholder(id=5, deal_id=1, name="Vic", role=Role.APPROVER, level=level, added_at=added)


def test_new_senior_player_late_fires_after_the_midpoint() -> None:
    record = healthy_record()
    record.stakeholders.append(_newcomer(5, at(2, 22)))

    signal = fired(record, "new_senior_player_late")

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.stakeholders == [5]
    assert signal.evidence.numbers == {"seniors": 1, "highest_level": 5}


def test_new_senior_player_late_stays_quiet_for_juniors_or_early_arrivals() -> None:
    junior = healthy_record()
    junior.stakeholders.append(_newcomer(3, at(2, 22)))
    early = healthy_record()
    early.stakeholders.append(_newcomer(5, at(2, 10)))

    assert fired(junior, "new_senior_player_late") is None
    assert fired(early, "new_senior_player_late") is None


# -- cadence_drop --------------------------------------------------------------------------


def test_cadence_drop_fires_below_half_the_deals_own_baseline() -> None:
    record = healthy_record()
    record.interactions = [i for i in record.interactions if i.id not in {106, 107, 108}]

    # On 3 March the baseline covers 1 Jan - 1 Feb: 5 touches in 31 days.
    signal = fired(record, "cadence_drop", as_of=at(3, 3))

    assert signal is not None and signal.severity == "warning"
    assert signal.evidence.interactions == [105, 109]
    assert signal.evidence.numbers == {"interactions_last_30d": 2, "cadence_baseline": 4.84}


def test_cadence_drop_stays_quiet_at_half_or_on_a_young_deal() -> None:
    record = healthy_record()
    record.interactions = [i for i in record.interactions if i.id not in {106, 107}]
    assert fired(record, "cadence_drop", as_of=at(3, 3)) is None  # 3 >= 0.5 * 4.84

    young = healthy_record()
    young.deal.created_at = at(1, 15)  # 17 days of baseline only
    young.interactions = [i for i in young.interactions if i.occurred_at < at(1, 30)]
    young.interactions = [i for i in young.interactions if i.occurred_at > at(1, 15)]
    assert fired(young, "cadence_drop", as_of=at(3, 3)) is None


# -- playbook rules, ordering, closed deals ------------------------------------------------


def test_a_playbook_rule_fires_with_its_numbers_and_filled_message() -> None:
    record = healthy_record()
    record.stakeholders[1].stance = 0
    record.stakeholders[2].stance = 0

    signal = fired(record, "few_supporters")

    assert signal is not None
    assert (signal.severity, signal.source) == ("critical", "playbook")
    assert signal.message == "Only 1 supporters at stage define."
    assert signal.evidence.numbers == {"stage_index": 2, "supporters": 1}


def test_a_failing_playbook_rule_gives_an_info_signal_not_a_crash() -> None:
    broken = small_playbook(
        signals=[SignalRule(key="bad_rule", when="missing_criteria", message="m", advice="a")]
    )

    signal = fired(healthy_record(), "bad_rule", playbook=broken)

    assert signal is not None
    assert (signal.severity, signal.source) == ("info", "playbook")
    assert "could not be evaluated" in signal.message and "boolean" in signal.message


def test_signals_are_sorted_by_severity_then_key() -> None:
    record = without(healthy_record(), 3)  # no_power and missing EB, both critical
    record.stakeholders[1].stance = 0
    record.stakeholders[2].stance = 0  # few_supporters, critical
    record.stakeholders[2].response_mode = ResponseMode.EVEN_KEEL  # a warning
    record.close_date_changes = [
        CloseDateChange(changed_at=at(2, 1), from_date=date(2025, 4, 1), to_date=date(2025, 4, 15))
    ]

    keys = [(s.severity, s.key) for s in signals_of(record)]

    assert keys == [
        ("critical", "few_supporters"),
        ("critical", "missing_economic_buyer"),
        ("critical", "no_power"),
        ("warning", "close_date_slipped"),
        ("warning", "complacent_economic_buyer"),
    ]


def test_closed_deals_get_no_signals() -> None:
    for status in (DealStatus.WON, DealStatus.LOST, DealStatus.NO_DECISION):
        record = without(healthy_record(), 3)
        record.interactions = []
        record.deal.status = status

        assert signals_of(record) == []


def test_signals_are_deterministic_and_serialisable() -> None:
    record = _chase(without(healthy_record(), 3), 3)

    first = [s.model_dump(mode="json") for s in signals_of(record)]
    again = [s.model_dump(mode="json") for s in signals_of(record)]

    assert first == again
    assert {"key", "title", "severity", "message", "advice", "source", "evidence"} <= set(first[0])
    assert set(first[0]["evidence"]) >= {"interactions", "stakeholders", "numbers"}
