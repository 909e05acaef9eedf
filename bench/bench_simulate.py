"""The playbook simulator on 1,000,000 deals against a SimPy process model of the same chain.

Both run the shipped ``buyer-journey`` scenario: its channel mixes, regressions, skips and
per-stage lognormal days. Ours moves every deal at once in numpy (on two threads, and on
one for reference). The peer is the textbook discrete-event model: one SimPy process per
deal that waits out each visit and draws where it leads with ``random.Random``. SimPy needs
about a minute for a million deals, so it runs 50,000 and the ratio compares the time per
deal. The Monte Carlo win rate is also checked against the closed form.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from typing import Any

from bench.timing import best_of
from dealgraph.core.playbook import get_playbook
from dealgraph.planning.markov import Chain, build_chain, closed_form
from dealgraph.planning.scenario_load import load_scenario, scenario_path
from dealgraph.planning.simulation import simulate, summarize

DEALS = 1_000_000
SIMPY_DEALS = 50_000
GOAL_SECONDS = 1.0


def run() -> dict[str, Any]:
    playbook = get_playbook("buyer-journey")
    chain = build_chain(load_scenario(scenario_path("buyer-journey")), playbook)
    exact = closed_form(chain)
    ours = best_of(lambda: simulate(chain, deals=DEALS, seed=1, workers=2), repeat=3)
    one_thread = best_of(lambda: simulate(chain, deals=DEALS, seed=1, workers=1), repeat=3)
    summary = summarize(simulate(chain, deals=DEALS, seed=1))
    gap_pp = (summary.win_rate - exact.win_rate) * 100
    name = f"simulate {DEALS:,} deals (buyer-journey scenario)"
    ours_detail = (
        f"{ours:.2f} s on 2 threads (goal < {GOAL_SECONDS:g} s: "
        f"{'met' if ours < GOAL_SECONDS else 'missed'}), {one_thread:.2f} s on 1; "
        f"win rate {summary.win_rate:.4%} vs closed form {exact.win_rate:.4%} "
        f"({gap_pp:+.3f} pp)"
    )
    try:
        import simpy  # noqa: F401  (a test extra, not a dependency)
    except ImportError:
        return _row(name, ours, None, ours_detail + "; SimPy not installed (pip install simpy)")
    started = time.perf_counter()
    simpy_win_rate = simpy_model(chain, deals=SIMPY_DEALS, seed=1)
    peer = time.perf_counter() - started
    ratio = (ours / DEALS) / (peer / SIMPY_DEALS)
    detail = (
        f"{ours_detail}; SimPy ran {SIMPY_DEALS:,} deals in {peer:.1f} s "
        f"(win rate {simpy_win_rate:.2%}); per deal {ours / DEALS * 1e6:.2f} us vs "
        f"{peer / SIMPY_DEALS * 1e6:.0f} us: {1 / ratio:,.0f}x faster"
    )
    return _row(name, ours, peer, detail, ratio=ratio)


def simpy_model(chain: Chain, *, deals: int, seed: int) -> float:
    """Each deal a SimPy process walking the chain; returns the share of deals won."""
    import simpy

    rng = random.Random(seed)
    size = len(chain.stages)
    cumulative = [list(itertools.accumulate(row)) for row in chain.transitions.tolist()]
    log_median = chain.log_median_days.tolist()
    sigma = chain.sigma_days.tolist()
    cost_per_visit = chain.cost_per_visit.tolist()
    outcomes = [0, 0, 0]
    cycle_days: list[float] = []
    spent: list[float] = []

    def deal(env: simpy.Environment) -> Any:
        stage, cost = chain.start, 0.0
        while True:
            yield env.timeout(math.exp(log_median[stage] + sigma[stage] * rng.gauss(0.0, 1.0)))
            cost += cost_per_visit[stage]
            row = cumulative[stage]
            target = min(bisect.bisect_right(row, rng.random() * row[-1]), len(row) - 1)
            if target >= size:
                outcomes[target - size] += 1
                cycle_days.append(env.now)
                spent.append(cost)
                return
            stage = target

    env = simpy.Environment()
    for _ in range(deals):
        env.process(deal(env))
    env.run()
    return outcomes[0] / deals


def _row(
    name: str, ours: float, peer: float | None, detail: str, *, ratio: float | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "peer": f"SimPy process model (per deal; SimPy ran {SIMPY_DEALS:,} deals)",
        "seconds": ours,
        "peer_seconds": peer,
        "ratio": ratio,
        "detail": detail,
    }
