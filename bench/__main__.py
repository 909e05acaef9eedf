"""Run every benchmark and print its ratio against the peer measured beside it.

Usage: ``python -m bench`` (or ``make bench``); ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import json
import sys

from bench import (
    bench_eventlog_import,
    bench_forecast,
    bench_gps,
    bench_patterns,
    bench_playbook,
    bench_simulate,
    bench_store,
)


def main(argv: list[str]) -> int:
    results = [
        bench_playbook.run(),
        bench_gps.run(),
        bench_store.run(),
        *bench_eventlog_import.run(),
        bench_simulate.run(),
        *bench_forecast.run(),
        *bench_patterns.run(),
    ]
    if "--json" in argv:
        print(json.dumps(results, indent=2))
        return 0
    for result in results:
        if result["ratio"] is None:  # no peer ran (or none exists); the detail says why
            print(f"{result['name']}: {result['detail']}")
            continue
        print(f"{result['name']}: {result['ratio']:.3g}x {result['peer']}  ({result['detail']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
