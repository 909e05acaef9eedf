"""A hand-built workspace for the forecast, small enough to compute every number by hand.

Days count from B0 (2026-01-01, midnight); the forecast is made as of day 100
(2026-04-11) for the period 2026-04-01 .. 2026-05-10, so it starts 10 days before
as_of and ends 30 days after it. Stages: qsq = question_status_quo, team = assemble_team.

    deal  currency  created  path                                   status at day 100
    A     USD       0        qsq -> team at 10 -> adopt at 40       won at 40
    B     USD       0        qsq -> team at 20                      lost at 50
    C     USD       5        qsq                                    lost at 25
    G     USD       60       qsq -> adopt at 95                     won at 95 (1,000)
    D     USD       30       qsq -> team at 60                      open (100)
    E     USD       80       qsq                                    open (200)
    F     EUR       50       qsq                                    open (300)
    H     USD       120      qsq                                    created after as_of

Time to close from entering qsq, for the deals that stayed in qsq at least as long as
E has (20 days; A moved on at day 10 and is left out), c: censored at day 100,
won/lost in brackets:
    C 20 (lost), E 20c, G 35 (won), B 50 (lost), F 50c, D 70c
    S(20) = 5/6, S(35) = 5/6 * 3/4 = 5/8, S(50) = 5/8 * 2/3 = 5/12
    CIF_win(35) = S(35-) * 1/4 = 5/24, and no later win
E has spent 20 days in qsq; the period's last 30 days, (20, 50], lie ahead of it:
    P(win eventually) = (5/24 - 0) / S(20) = 1/4
    P(the win falls in the period | won) = (CIF_win(50) - CIF_win(20)) / (5/24) = 1
From entering team, D (40 days there) is the only deal that stayed 40 days: nothing
to learn, P(win) = 0; no close was ever seen past day 30 in team, so D is beyond its
history (flagged stalled).
E books with p = 0.25 * 1 = 0.25, so expected = 1,000 (G, already won) + 0.25 * 200 = 1,050.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Deal, DealRecord, StageChange
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Playbook
from dealgraph.planning.period import Period, period_between

B0 = datetime(2026, 1, 1)
AS_OF = B0 + timedelta(days=100)
PERIOD: Period = period_between(date(2026, 4, 1), date(2026, 5, 10))
QSQ, TEAM, ADOPT = "question_status_quo", "assemble_team", "adopt"
IDS = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8}


def day(number: float) -> datetime:
    """B0 plus ``number`` days."""
    return B0 + timedelta(days=number)


def playbooks() -> dict[str, Playbook]:
    """The playbook every hand-built deal runs on."""
    return {"buyer-journey": get_playbook("buyer-journey")}


def record(
    name: str,
    *,
    created: float,
    moves: Sequence[tuple[str, str, float]] = (),
    status: DealStatus = DealStatus.OPEN,
    closed: float | None = None,
    value: float = 50.0,
    currency: str = "USD",
) -> DealRecord:
    """A deal record with its stage changes; its stage is where the last move led."""
    deal_id = IDS[name]
    stage = moves[-1][1] if moves else QSQ
    entered = day(moves[-1][2]) if moves else day(created)
    deal = Deal(
        id=deal_id,
        title=f"Deal {name}",
        owner="sam",
        value=value,
        currency=currency,
        created_at=day(created),
        stage=stage,
        stage_entered_at=entered,
        status=status,
        closed_at=None if closed is None else day(closed),
    )
    changes = [
        StageChange(
            id=deal_id * 10 + i,
            deal_id=deal_id,
            from_stage=source,
            to_stage=target,
            changed_at=day(at),
        )
        for i, (source, target, at) in enumerate(moves)
    ]
    return DealRecord(deal=deal, stage_changes=changes)


def workspace() -> list[DealRecord]:
    """The eight deals of the table above."""
    return [
        record(
            "A",
            created=0,
            moves=[(QSQ, TEAM, 10), (TEAM, ADOPT, 40)],
            status=DealStatus.WON,
            closed=40,
        ),
        record("B", created=0, moves=[(QSQ, TEAM, 20)], status=DealStatus.LOST, closed=50),
        record("C", created=5, status=DealStatus.LOST, closed=25),
        record(
            "G",
            created=60,
            moves=[(QSQ, ADOPT, 95)],
            status=DealStatus.WON,
            closed=95,
            value=1000.0,
        ),
        record("D", created=30, moves=[(QSQ, TEAM, 60)], value=100.0),
        record("E", created=80, value=200.0),
        record("F", created=50, value=300.0, currency="EUR"),
        record("H", created=120, value=400.0),
    ]
