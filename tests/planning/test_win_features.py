"""Features of a deal as of a snapshot: what was known then, nothing later, said in words."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from dealgraph.core.enums import DealStatus, DecisionStatus, Direction, Influence, Outcome, Role
from dealgraph.core.model import (
    CloseDateChange,
    DealRecord,
    Evidence,
    Interaction,
    StageChange,
)
from dealgraph.demo import build_demo_document
from dealgraph.io.native_json import deal_records
from dealgraph.planning.features import (
    CATEGORICAL,
    NUMERIC,
    describe,
    features_at,
    known_at,
    snapshot_times,
    workspace_dataset,
)
from tests.factories import (
    at,
    make_deal,
    make_decision,
    make_interaction,
    make_stakeholder,
    playbook,
)

AS_OF = datetime(2025, 6, 1)


@pytest.fixture(scope="module")
def demo_records() -> list[DealRecord]:
    return deal_records(build_demo_document(seed=7, as_of=AS_OF, playbook=playbook()))


def _record(**deal: object) -> DealRecord:
    """A lost deal: created at T0, two people, four touches, a stage change, closed on day 90."""
    eb = make_stakeholder(id=1, role=Role.ECONOMIC_BUYER, level=5, added_at=at(0))
    champion = make_stakeholder(
        id=2, name="Cam Pion", role=Role.CHAMPION, level=3, stance=2, added_at=at(20)
    )
    touches = [
        make_interaction(id=1, occurred_at=at(1), participants=[1], direction=Direction.OUTBOUND),
        make_interaction(
            id=2,
            occurred_at=at(10),
            participants=[1],
            direction=Direction.TWO_WAY,
            outcome=Outcome.ADVANCED,
        ),
        make_interaction(id=3, occurred_at=at(40), participants=[2], direction=Direction.INBOUND),
        make_interaction(id=4, occurred_at=at(80), participants=[1, 2]),
    ]
    fields = {
        "id": 1,
        "status": DealStatus.LOST,
        "closed_at": at(90),
        "stage": "define_problem",
        "stage_entered_at": at(30),
    } | deal
    return DealRecord(
        deal=make_deal(**fields),
        stakeholders=[eb, champion],
        decisions=[
            make_decision(id=1, status=DecisionStatus.DECIDED, decided_at=at(25), level=5),
            make_decision(id=2, status=DecisionStatus.BLOCKED, level=4),
        ],
        interactions=touches,
        evidence=[Evidence(id=1, criterion="problem_acknowledged", recorded_at=at(10))],
        stage_changes=[
            StageChange(
                id=1, from_stage="question_status_quo", to_stage="assemble_team", changed_at=at(10)
            ),
            StageChange(
                id=2, from_stage="assemble_team", to_stage="define_problem", changed_at=at(30)
            ),
        ],
        close_date_changes=[
            CloseDateChange(
                id=1, changed_at=at(50), from_date=date(2026, 3, 1), to_date=date(2026, 5, 1)
            ),
        ],
    )


def test_known_at_keeps_only_what_had_happened() -> None:
    seen = known_at(_record(), playbook(), at(15))
    assert seen.deal.status == DealStatus.OPEN and seen.deal.closed_at is None
    assert (seen.deal.stage, seen.deal.stage_entered_at) == ("assemble_team", at(10))
    assert [i.id for i in seen.interactions] == [1, 2]
    assert [s.id for s in seen.stakeholders] == [1]  # the champion joined on day 20
    assert [c.id for c in seen.stage_changes] == [1]
    assert seen.deal.expected_close == date(2026, 3, 1)  # the slip came on day 50
    assert [d.status for d in seen.decisions] == [DecisionStatus.OPEN, DecisionStatus.OPEN]


def test_decisions_count_as_decided_only_from_their_time() -> None:
    seen = known_at(_record(), playbook(), at(26))
    # decided on day 25; "blocked" has no time, so it reads as open whenever it is asked
    assert [d.status for d in seen.decisions] == [DecisionStatus.DECIDED, DecisionStatus.OPEN]


def test_before_any_stage_change_the_deal_is_in_the_first_changes_starting_stage() -> None:
    seen = known_at(_record(), playbook(), at(5))
    assert (seen.deal.stage, seen.deal.stage_entered_at) == ("question_status_quo", at(0))


def test_snapshots_fall_at_creation_every_30_days_and_each_stage_entry_before_the_close() -> None:
    times = snapshot_times(_record(), playbook())
    assert times == [at(0), at(10), at(30), at(60)]
    assert snapshot_times(_record(status=DealStatus.OPEN, closed_at=None), playbook()) == []


def test_no_snapshot_once_a_won_end_stage_is_reached() -> None:
    record = _record(status=DealStatus.WON, closed_at=at(120))
    record.stage_changes.append(
        StageChange(id=3, from_stage="approve_contract", to_stage="adopt", changed_at=at(70))
    )
    assert max(snapshot_times(record, playbook())) < at(70)


def test_features_of_a_snapshot_read_the_deal_as_it_stood() -> None:
    values = features_at(_record(), playbook(), at(15), team="East")
    assert values["stage_number"] == 2.0 and values["days_in_stage"] == 5.0
    assert values["age_days"] == 15.0
    assert values["stakeholders"] == 1.0 and values["engaged"] == 1.0
    assert values["economic_buyer_engaged"] == 1.0 and values["champion_known"] == 0.0
    assert values["interactions_last_30d"] == 2.0
    assert values["reply_share"] == 0.5 and values["advanced_share"] == 0.5
    assert values["days_since_last_interaction"] == 5.0
    assert values["stance_balance"] == 1 * 3.0  # one supporter, high influence
    assert values["team"] == "East" and values["segment"] == "mid-market"
    assert values["stage"] == playbook().stage("assemble_team").title
    assert set(values) == set(NUMERIC) | set(CATEGORICAL)


def test_nothing_after_the_snapshot_changes_its_row(demo_records: list[DealRecord]) -> None:
    """Rewrite a deal's future (another outcome, more touches, more evidence): rows stay equal."""
    book = playbook()
    closed = [r for r in demo_records if r.deal.status != DealStatus.OPEN][:25]
    assert closed
    for record in closed:
        times = snapshot_times(record, book)
        assert times and all(t < (record.deal.closed_at or AS_OF) for t in times)
        for moment in times[:3]:
            future = _rewrite_future(record, moment)
            assert features_at(future, book, moment) == features_at(record, book, moment)


def _rewrite_future(record: DealRecord, moment: datetime) -> DealRecord:
    later = moment + timedelta(hours=1)
    flipped = DealStatus.LOST if record.deal.status == DealStatus.WON else DealStatus.WON
    extra = Interaction(
        id=10**6,
        occurred_at=later,
        channel="field",
        direction=Direction.TWO_WAY,
        participants=[s.id for s in record.stakeholders if s.id is not None],
        outcome=Outcome.SETBACK,
        evidence=["problem_acknowledged"],
    )
    return record.model_copy(
        update={
            "deal": record.deal.model_copy(
                update={
                    "status": flipped,
                    "closed_at": later,
                    "stage": "adopt",
                    "loss_reason": "rewritten",
                    "stage_entered_at": later,
                }
            ),
            "interactions": [*record.interactions, extra],
            "evidence": [
                *record.evidence,
                Evidence(id=10**6, criterion="success_criteria_agreed", recorded_at=later),
            ],
            "stage_changes": [
                *record.stage_changes,
                StageChange(id=10**6, from_stage=None, to_stage="adopt", changed_at=later),
            ],
            "decisions": [
                d.model_copy(update={"status": DecisionStatus.DROPPED, "decided_at": None})
                if d.decided_at is None or d.decided_at > moment
                else d
                for d in record.decisions
            ],
            "stakeholders": [
                *record.stakeholders,
                make_stakeholder(id=10**6, stance=-2, influence=Influence.HIGH, added_at=later),
            ],
        }
    )


def test_dataset_rows_come_only_from_deals_closed_by_the_time_asked(
    demo_records: list[DealRecord],
) -> None:
    book = playbook()
    cut = datetime(2025, 1, 1)
    data = workspace_dataset(demo_records, {book.key: book}, teams={}, as_of=cut)
    by_id = {r.deal.id: r for r in demo_records}
    assert data.rows and set(data.won) == {True, False}
    for deal_id, closed in data.closed.items():
        record = by_id[int(deal_id)]
        assert record.deal.status != DealStatus.OPEN
        assert closed == record.deal.closed_at and closed <= cut
    assert set(data.groups) == set(data.closed)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("economic_buyer_engaged", 0.0, "Economic buyer not engaged"),
        ("economic_buyer_engaged", 1.0, "Economic buyer engaged"),
        ("days_since_last_interaction", 14.0, "14 days since last interaction"),
        ("days_since_last_interaction", 1.0, "1 day since last interaction"),
        ("days_to_close", -12.0, "12 days past the expected close"),
        ("log_value", 10.819798284210286, "Deal value 50,000"),
        ("channel_field", 0.25, "25% of touches in the field"),
        ("high_influence_opponents", 0.0, "No high-influence opponent"),
        ("signal_ghosted", 1.0, "Signal 'Ghosted' firing"),
        ("segment", "enterprise", "Segment: enterprise"),
        ("owner", "Dana Whitcombe", "Seller: Dana Whitcombe"),
    ],
)
def test_features_are_said_in_words(key: str, value: float | str, words: str) -> None:
    assert describe(key, value) == words


def test_every_feature_can_be_said() -> None:
    for key in NUMERIC:
        assert describe(key, 0.0) and describe(key, 2.0)
    for key in CATEGORICAL:
        assert describe(key, "x").endswith("x")
