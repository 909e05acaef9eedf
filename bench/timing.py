"""Best-of-N wall-clock timing, the only clock the benchmarks use."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(function: Callable[[], object], *, repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the machine)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best
