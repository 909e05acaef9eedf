"""The pm4py side of the pattern benchmarks, run in pm4py's own virtualenv (never ours).

Usage (from ``bench_patterns``): ``python peer_pm4py.py read_xes FILE.xes`` or
``python peer_pm4py.py patterns FILE.parquet REPEAT``. Prints one JSON object: the
seconds of the timed work (imports and dataframe preparation excluded), the peak resident
memory of this process in KiB, and a few counts to check both sides did the same work.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _read_xes(path: str) -> dict[str, object]:
    import pm4py

    started = time.perf_counter()
    log = pm4py.read_xes(path)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "events": len(log), "pm4py": pm4py.__version__}


def _patterns(path: str, repeat: int) -> dict[str, object]:
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(path, columns=["case", "activity", "timestamp", "position"])
    frame = frame.sort_values(["case", "timestamp", "position"], kind="stable")
    frame = pm4py.format_dataframe(
        frame, case_id="case", activity_key="activity", timestamp_key="timestamp"
    )
    best = float("inf")
    edges = variants = 0
    for _ in range(repeat):
        started = time.perf_counter()
        dfg, starts, ends = pm4py.discover_dfg(frame)
        found = pm4py.get_variants(frame)
        best = min(best, time.perf_counter() - started)
        edges, variants = len(dfg), len(found)
    return {"seconds": best, "edges": edges, "variants": variants, "pm4py": pm4py.__version__}


def main(argv: list[str]) -> int:
    """Run one pm4py measurement and print it as JSON."""
    if argv[0] == "read_xes":
        result = _read_xes(argv[1])
    elif argv[0] == "patterns":
        result = _patterns(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown measurement {argv[0]!r}")
    result["max_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
