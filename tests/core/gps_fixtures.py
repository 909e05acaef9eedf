"""Hand-built playbook and deal records for the context, history, GPS and signals tests.

``healthy_record()`` is an open deal on which no built-in signal fires at ``AS_OF``;
each signal test changes one thing about it and watches that signal (and only it) move.
"""

from __future__ import annotations

from datetime import date, datetime

from dealgraph.core.enums import (
    Channel,
    DecisionStatus,
    Direction,
    Influence,
    Outcome,
    ProblemKind,
    ResponseMode,
    Role,
)
from dealgraph.core.model import (
    Deal,
    DealRecord,
    Decision,
    Evidence,
    Interaction,
    PlanItem,
    ProblemItem,
    StageChange,
    Stakeholder,
)
from dealgraph.core.playbook.schema import (
    Contingency,
    Criterion,
    DecisionTemplate,
    Duration,
    Play,
    Playbook,
    SignalRule,
    Stage,
)

AS_OF = datetime(2025, 3, 1)
CREATED = datetime(2025, 1, 1)


def at(month: int, day: int, hour: int = 0) -> datetime:
    """A time in 2025."""
    return datetime(2025, month, day, hour)


def small_playbook(**changes: object) -> Playbook:
    """Five stages (spark -> team -> define -> choose -> won), five criteria, six plays."""
    stages = [
        Stage(
            key="spark",
            title="Questioning the status quo",
            goal="See that something must change",
            exit=["pain_named"],
            duration=Duration(p50=10, p90=30),
            level=2,
            next=["team"],
        ),
        Stage(
            key="team",
            title="Assembling the team",
            goal="Name who decides",
            exit=["team_named", "eb_met"],
            duration=Duration(p50=14, p90=40),
            level=3,
            next=["define", "choose"],
        ),
        Stage(
            key="define",
            title="Defining the problem",
            goal="Agree what the problem is",
            exit=["problem_agreed"],
            duration=Duration(p50=20, p90=50),
            level=3,
            next=["choose"],
            contingencies=[
                Contingency(
                    when="opponents > 0", advice="Meet the opponents first.", play="discovery"
                ),
                Contingency(when="engaged_count < 2", advice="Widen the team."),
            ],
        ),
        Stage(
            key="choose",
            title="Choosing",
            goal="Pick a supplier",
            exit=["vendor_chosen"],
            duration=Duration(p50=15, p90=45),
            level=4,
            next=["won", "define"],
        ),
        Stage(
            key="won",
            title="Adopting",
            goal="Put it to work",
            duration=Duration(p50=30, p90=60),
            level=3,
            end="won",
        ),
    ]
    criteria = [
        Criterion(key="pain_named", title="Pain named", evidence="the buyer said it"),
        Criterion(key="team_named", title="Team named", evidence="a list of names"),
        Criterion(key="eb_met", title="Economic buyer met", evidence="a meeting"),
        Criterion(key="problem_agreed", title="Problem agreed", evidence="a written statement"),
        Criterion(key="vendor_chosen", title="Vendor chosen", evidence="a letter"),
    ]
    plays = [
        Play(
            key="discovery",
            title="Discovery conversation",
            purpose="Learn the buyer's situation",
            stage="spark",
            channels=[Channel.FIELD, Channel.VIRTUAL],
            outcome=["pain_named", "problem_agreed"],
            roles=[Role.USER, Role.CHAMPION],
            questions=["What happens if nothing changes?"],
            effort_hours=2,
        ),
        Play(
            key="problem_workshop",
            title="Problem workshop",
            purpose="Write the problem down together",
            stage="define",
            channels=[Channel.FIELD],
            outcome=["problem_agreed"],
            roles=[Role.EVALUATOR, Role.ECONOMIC_BUYER],
            questions=["Who feels this most?", "What does it cost each month?"],
            effort_hours=3,
        ),
        Play(
            key="team_map",
            title="Team mapping",
            purpose="Name the buying team",
            channels=[Channel.VIRTUAL, Channel.EMAIL],
            outcome=["team_named"],
            roles=[Role.CHAMPION],
            effort_hours=1,
        ),
        Play(
            key="exec_meeting",
            title="Executive meeting",
            purpose="Meet the economic buyer",
            channels=[Channel.FIELD, Channel.VIRTUAL],
            outcome=["eb_met", "team_named"],
            roles=[Role.ECONOMIC_BUYER],
            effort_hours=3,
        ),
        Play(
            key="eb_letter",
            title="Letter to the economic buyer",
            purpose="Ask for a meeting",
            channels=[Channel.EMAIL],
            outcome=["eb_met"],
            roles=[Role.ECONOMIC_BUYER],
            effort_hours=0.5,
        ),
        Play(
            key="shortlist",
            title="Shortlist review",
            purpose="Help compare options",
            channels=[Channel.VIRTUAL],
            outcome=["vendor_chosen"],
            roles=[Role.EVALUATOR],
            effort_hours=4,
        ),
    ]
    decisions = [
        DecisionTemplate(key="agree_problem", title="Agree the problem", stage="define", level=3),
        DecisionTemplate(
            key="fund_change",
            title="Fund the change",
            stage="choose",
            requires=["agree_problem"],
            level=5,
            roles=[Role.ECONOMIC_BUYER],
        ),
    ]
    signals = [
        SignalRule(
            key="few_supporters",
            when="supporters < 2 && stage_index >= 1",
            severity="critical",
            message="Only {supporters} supporters at stage {stage}.",
            advice="Win another supporter.",
        )
    ]
    fields: dict[str, object] = {
        "key": "small",
        "title": "Small journey",
        "stages": stages,
        "criteria": criteria,
        "plays": plays,
        "decisions": decisions,
        "signals": signals,
    }
    fields.update(changes)
    return Playbook.model_validate(fields)


def interaction(
    id: int,
    when: datetime,
    participants: list[int],
    *,
    direction: Direction = Direction.TWO_WAY,
    channel: Channel = Channel.VIRTUAL,
    play: str | None = None,
    outcome: Outcome = Outcome.NEUTRAL,
    evidence: list[str] | None = None,
) -> Interaction:
    """One interaction on deal 1."""
    return Interaction(
        id=id,
        deal_id=1,
        occurred_at=when,
        channel=channel,
        direction=direction,
        play=play,
        participants=participants,
        outcome=outcome,
        evidence=evidence or [],
    )


def healthy_interactions() -> list[Interaction]:
    """Ten two-way touches, every six days from 3 January to 26 February."""
    days = [(1, 3), (1, 9), (1, 15), (1, 21), (1, 27), (2, 2), (2, 8), (2, 14), (2, 20), (2, 26)]
    people = [[1, 2], [1, 3], [2, 4], [1], [3, 1], [1, 2], [4, 1], [3], [1, 2, 3], [2, 1]]
    return [interaction(100 + n, at(m, d, 10), people[n]) for n, (m, d) in enumerate(days)]


def healthy_record() -> DealRecord:
    """An open deal in 'define' at AS_OF on which no built-in signal fires."""
    joined = at(1, 2)
    return DealRecord(
        deal=Deal(
            id=1,
            title="Fleet telemetry",
            owner="sam",
            value=50000,
            created_at=CREATED,
            expected_close=date(2025, 4, 15),
            playbook="small",
            stage="define",
            stage_entered_at=at(2, 20),
        ),
        stakeholders=[
            Stakeholder(
                id=1,
                deal_id=1,
                name="Cara",
                role=Role.CHAMPION,
                level=3,
                stance=2,
                added_at=joined,
            ),
            Stakeholder(
                id=2,
                deal_id=1,
                name="Eli",
                role=Role.EVALUATOR,
                level=3,
                stance=1,
                added_at=joined,
            ),
            Stakeholder(
                id=3,
                deal_id=1,
                name="Bea",
                role=Role.ECONOMIC_BUYER,
                level=5,
                stance=1,
                influence=Influence.HIGH,
                response_mode=ResponseMode.TROUBLE,
                added_at=joined,
            ),
            Stakeholder(
                id=4, deal_id=1, name="Uma", role=Role.USER, level=2, stance=0, added_at=joined
            ),
        ],  # fmt: skip
        decisions=[
            Decision(
                id=10,
                deal_id=1,
                key="agree_problem",
                title="Agree the problem",
                level=3,
                owners=[1],
                roles=[Role.CHAMPION, Role.USER],
                expected_days=10,
            ),
            Decision(
                id=11,
                deal_id=1,
                key="fund_change",
                title="Fund the change",
                level=5,
                owners=[3],
                requires=[10],
                roles=[Role.ECONOMIC_BUYER],
                expected_days=20,
            ),
            Decision(
                id=12,
                deal_id=1,
                key="pick_vendor",
                title="Pick a vendor",
                level=3,
                requires=[10],
                roles=[Role.EVALUATOR],
                expected_days=5,
                status=DecisionStatus.BLOCKED,
            ),
            Decision(
                id=13,
                deal_id=1,
                key="scope",
                title="Scope",
                level=2,
                expected_days=3,
                status=DecisionStatus.DECIDED,
            ),
        ],  # fmt: skip
        interactions=healthy_interactions(),
        evidence=[
            Evidence(deal_id=1, criterion="pain_named", interaction_id=100, recorded_at=at(1, 3)),
            Evidence(deal_id=1, criterion="team_named", interaction_id=107, recorded_at=at(2, 14)),
            Evidence(deal_id=1, criterion="eb_met", interaction_id=107, recorded_at=at(2, 14)),
        ],
        stage_changes=[
            StageChange(id=1, deal_id=1, from_stage="spark", to_stage="team", changed_at=at(1, 10)),
            StageChange(
                id=2,
                deal_id=1,
                from_stage="team",
                to_stage="define",
                changed_at=at(2, 20),
                interaction_id=108,
            ),
        ],  # fmt: skip
        problems=[
            ProblemItem(
                id=1, deal_id=1, kind=ProblemKind.PRESSURE, statement="Fuel costs", confirmed_by=3
            ),
            ProblemItem(id=2, deal_id=1, kind=ProblemKind.GOAL, statement="Fewer breakdowns"),
        ],
        plan=[
            PlanItem(id=1, deal_id=1, title="Kick-off", done=True, due=date(2025, 1, 20)),
            PlanItem(id=2, deal_id=1, title="Workshop", due=date(2025, 2, 20)),
            PlanItem(id=3, deal_id=1, title="Review", due=date(2025, 3, 10)),
        ],
    )
