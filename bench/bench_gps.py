"""The GPS of every open demo deal against numpy drawing the ETA's random numbers alone.

The ETA is a Monte Carlo over the remaining stages: ``trials`` draws per stage. The peer
is the floor for that work: numpy drawing the same count of standard normals, on one core.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from bench.timing import best_of
from dealgraph.core.gps import gps
from dealgraph.core.history import build_history
from dealgraph.core.playbook import get_playbook
from dealgraph.demo import build_demo_document
from dealgraph.io.native_json import deal_records

AS_OF = datetime(2026, 11, 23, 12, 0)
TRIALS = 2000


def run() -> dict[str, Any]:
    playbook = get_playbook("buyer-journey")
    records = deal_records(build_demo_document(seed=7, as_of=AS_OF, playbook=playbook))
    history = build_history(records, playbook)
    open_records = [r for r in records if r.deal.status == "open"]
    reports = [gps(r, playbook, history, seed=1, as_of=AS_OF, trials=TRIALS) for r in open_records]
    draws = sum(len(report.route) for report in reports) * TRIALS
    rng = np.random.default_rng(0)

    def ours() -> None:
        for record in open_records:
            gps(record, playbook, history, seed=1, as_of=AS_OF, trials=TRIALS)

    ours_seconds = best_of(ours, repeat=3)
    peer_seconds = best_of(lambda: rng.standard_normal(draws), repeat=3)
    per_deal_ms = ours_seconds / len(open_records) * 1000
    return {
        "name": f"GPS of {len(open_records)} open deals ({TRIALS} ETA trials each)",
        "peer": "numpy drawing the same random numbers",
        "seconds": ours_seconds,
        "peer_seconds": peer_seconds,
        "ratio": ours_seconds / peer_seconds,
        "detail": f"{per_deal_ms:.2f} ms per deal; {draws:,} draws in {peer_seconds * 1000:.1f} ms",
    }
