"""History learned from deals: completed stage visits and play effectiveness per channel."""

from __future__ import annotations

from datetime import datetime

import pytest

from dealgraph.core.enums import Channel, DealStatus, Outcome
from dealgraph.core.history import History, build_history, stage_visits
from dealgraph.core.model import Deal, DealRecord, StageChange
from tests.core.gps_fixtures import CREATED, at, interaction, small_playbook


def _record(deal_id: int, moves: list[tuple[str, str, datetime]], **deal: object) -> DealRecord:
    fields: dict[str, object] = {
        "id": deal_id,
        "title": f"deal {deal_id}",
        "owner": "sam",
        "created_at": CREATED,
        "playbook": "small",
    }
    fields.update(deal)
    return DealRecord(
        deal=Deal.model_validate(fields),
        stage_changes=[
            StageChange(id=n, deal_id=deal_id, from_stage=a, to_stage=b, changed_at=t)
            for n, (a, b, t) in enumerate(moves)
        ],
    )


def test_empty_history_is_valid_and_knows_nothing() -> None:
    history = History()

    assert history.deals == 0
    assert not history.has_enough("define", 1)
    assert history.play_counts("discovery", "field") == (0, 0)


def test_completed_visits_give_days_per_stage_and_deal_counts() -> None:
    in_define = _record(1, [("spark", "team", at(1, 11)), ("team", "define", at(1, 25))])
    won = _record(
        2,
        [
            ("spark", "team", at(1, 6, 12)),
            ("team", "choose", at(1, 20, 12)),
            ("choose", "won", at(2, 4)),
        ],
        status=DealStatus.WON,
    )
    untouched = _record(3, [])

    history = build_history([in_define, won, untouched], small_playbook())

    assert history.deals == 3
    assert history.deals_by_status == {"open": 2, "won": 1}
    assert history.stage_days == {"choose": [14.5], "spark": [5.5, 10.0], "team": [14.0, 14.0]}
    assert history.stage_deals == {"choose": 1, "spark": 2, "team": 2}
    assert history.has_enough("team", 2)
    assert not history.has_enough("choose", 2)
    assert not history.has_enough("define", 1)  # the visit in progress is not complete


def test_a_stage_visited_twice_counts_its_deal_once() -> None:
    record = _record(
        1,
        [
            ("spark", "team", at(1, 5)),
            ("team", "spark", at(1, 10)),
            ("spark", "team", at(1, 12)),
            ("team", "define", at(1, 13)),
        ],
    )

    history = build_history([record], small_playbook())

    assert history.stage_days["spark"] == [2.0, 4.0]
    assert history.stage_days["team"] == [1.0, 5.0]
    assert history.stage_deals == {"spark": 1, "team": 1}


def test_visits_of_unknown_stages_are_ignored() -> None:
    record = _record(1, [("legacy", "spark", at(1, 3)), ("spark", "team", at(1, 8))])

    assert stage_visits(record, small_playbook()) == [("spark", at(1, 3), at(1, 8))]


def test_play_effectiveness_counts_attempts_and_advances_per_channel() -> None:
    record = _record(1, [])
    record.interactions = [
        interaction(1, at(1, 2), [1], channel=Channel.FIELD, play="discovery",
                    outcome=Outcome.ADVANCED),
        interaction(2, at(1, 3), [1], channel=Channel.FIELD, play="discovery",
                    evidence=["pain_named"]),
        interaction(3, at(1, 4), [1], channel=Channel.FIELD, play="discovery"),
        interaction(4, at(1, 5), [1], channel=Channel.VIRTUAL, play="discovery",
                    outcome=Outcome.SETBACK),
        interaction(5, at(1, 6), [1], channel=Channel.EMAIL),
    ]  # fmt: skip

    history = build_history([record], small_playbook())

    assert history.play_channel == {"discovery": {"field": (3, 2), "virtual": (1, 0)}}
    assert history.play_counts("discovery", "virtual") == (1, 0)
    assert history.play_counts("team_map", "email") == (0, 0)


def test_history_round_trips_through_json() -> None:
    record = _record(1, [("spark", "team", at(1, 11))])
    record.interactions = [interaction(1, at(1, 2), [1], play="discovery")]
    history = build_history([record], small_playbook())

    again = History.model_validate(history.model_dump(mode="json"))

    assert again == history


def test_history_refuses_unknown_fields() -> None:
    with pytest.raises(ValueError, match="stage_dayz"):
        History.model_validate({"stage_dayz": {}})
