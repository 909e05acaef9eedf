"""The Monte Carlo forecast at 10,000 open deals x 10,000 trials against numpy's bare draws.

The peer is the floor for that work: ``rng.random`` drawing one double per (deal, trial)
in the same chunks of trials the forecast uses, and nothing else. Both sides run on one
core (BLAS limited to one thread), so the ratio is the forecast's cost per random cell.

Two figures: the bookings distribution alone (draws, sums, P10/P50/P90, P(quota),
histogram) and the whole forecast from deal records (pipeline as of the day, a
Kaplan–Meier fit per stage on 5,000 closed deals, win rates, the Monte Carlo, categories
and the ranked deal list).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from bench.timing import best_of
from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Deal, DealRecord, StageChange
from dealgraph.core.playbook import get_playbook
from dealgraph.planning.forecast import forecast_pipeline
from dealgraph.planning.montecarlo import bookings_distribution, rows_per_chunk
from dealgraph.planning.period import parse_period

DEALS = 10_000
TRIALS = 10_000
CLOSED = 5_000
AS_OF = datetime(2027, 1, 1)
PERIOD = "2027Q1"
REPEAT = 7


def _records(rng: np.random.Generator) -> list[DealRecord]:
    """10,000 open deals and 5,000 closed ones walking the buyer journey."""
    playbook = get_playbook("buyer-journey")
    stages = [s.key for s in playbook.stages if s.end != "won"]
    records = []
    for deal_id in range(1, DEALS + CLOSED + 1):
        is_open = deal_id <= DEALS
        created = AS_OF - timedelta(days=float(rng.uniform(5, 700)))
        reached = int(rng.integers(0, len(stages)))
        gaps = np.sort(rng.uniform(0, (AS_OF - created).days, reached + 1))
        moments = [created + timedelta(days=float(g)) for g in gaps]
        changes = [
            StageChange(
                id=deal_id * 10 + i,
                deal_id=deal_id,
                from_stage=stages[i],
                to_stage=stages[i + 1],
                changed_at=moments[i],
            )
            for i in range(reached)
        ]
        won = not is_open and rng.random() < 0.4
        deal = Deal(
            id=deal_id,
            title=f"Deal {deal_id}",
            owner="seller",
            value=float(rng.integers(10, 500)) * 1000,
            created_at=created,
            stage=stages[reached],
            stage_entered_at=changes[-1].changed_at if changes else created,
            status=DealStatus.OPEN if is_open else (DealStatus.WON if won else DealStatus.LOST),
            closed_at=None if is_open else moments[-1],
        )
        records.append(DealRecord(deal=deal, stage_changes=changes))
    return records


def run() -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    values = rng.integers(10, 500, DEALS) * 1000.0
    p_win, p_close = rng.uniform(0.05, 0.95, DEALS), rng.uniform(0.05, 0.95, DEALS)
    quota = float(values @ (p_win * p_close))
    rows = rows_per_chunk(DEALS)
    records = _records(rng)
    playbooks = {"buyer-journey": get_playbook("buyer-journey")}
    period = parse_period(PERIOD)

    def peer() -> None:
        draws = np.random.default_rng(7)
        for first in range(0, TRIALS, rows):
            draws.random((min(rows, TRIALS - first), DEALS))

    def distribution() -> None:
        bookings_distribution(values, p_win, p_close, quota=quota, trials=TRIALS, seed=7)

    def whole() -> None:
        forecast_pipeline(records, playbooks, period, as_of=AS_OF, trials=TRIALS, seed=7)

    # Interleaved, so a burst of load on the machine hits both sides alike.
    best = {"peer": float("inf"), "ours": float("inf"), "whole": float("inf")}
    with threadpool_limits(limits=1):
        for _ in range(REPEAT):
            for name, function in (("peer", peer), ("ours", distribution), ("whole", whole)):
                best[name] = min(best[name], best_of(function, repeat=1))
    peer_seconds, ours_seconds, whole_seconds = best["peer"], best["ours"], best["whole"]
    cells = f"{DEALS:,} deals x {TRIALS:,} trials in chunks of {rows} trials"
    return [
        {
            "name": f"Forecast Monte Carlo ({cells})",
            "peer": "numpy drawing one double per (deal, trial), same chunks, one core",
            "seconds": ours_seconds,
            "peer_seconds": peer_seconds,
            "ratio": ours_seconds / peer_seconds,
            "detail": f"ours {ours_seconds:.3f} s, numpy draws {peer_seconds:.3f} s",
        },
        {
            "name": f"Whole forecast from {DEALS + CLOSED:,} deal records ({TRIALS:,} trials)",
            "peer": "the same numpy draws",
            "seconds": whole_seconds,
            "peer_seconds": peer_seconds,
            "ratio": whole_seconds / peer_seconds,
            "detail": f"ours {whole_seconds:.3f} s, numpy draws {peer_seconds:.3f} s",
        },
    ]


if __name__ == "__main__":
    for result in run():
        print(f"{result['name']}: {result['ratio']:.2f}x {result['peer']}  ({result['detail']})")
