"""Event-log import into a SQLite workspace against reading the same log and nothing else.

The peer streams the file through the same XES reader the import uses and keeps nothing:
the floor for any import that parses the file itself. The ratio says what turning events
into deals, stage changes and interactions (lookups by external id, bulk inserts, one
transaction) costs on top of parsing. Events per second are printed for both, by the wall
clock (best of five, the two sides alternating) and per CPU second.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from dealgraph.io.xes import iter_xes_events
from dealgraph.services.eventlog_import import import_eventlog
from dealgraph.store.db import open_database, sqlite_url

EVENTLOGS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "eventlogs"
LOGS = ("helpdesk.xes.gz", "receipt.xes")
ROUNDS = 5


def _fresh(empty: Path, target: Path) -> None:
    """A migrated, empty workspace at ``target`` (copied: migrations are not import time)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.write_bytes(empty.read_bytes())


def _import(log: Path, target: Path) -> int:
    database = open_database(sqlite_url(target), migrate=False)
    try:
        with database.session() as session:
            summary = import_eventlog(session, log, format_name="xes")
    finally:
        database.dispose()
    return summary.events_read


def _read(log: Path) -> int:
    return sum(1 for _ in iter_xes_events(log))


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run (CPU time is what a busy machine disturbs least)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def run() -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        empty, target = Path(tmp) / "empty.db", Path(tmp) / "w.db"
        open_database(sqlite_url(empty)).dispose()
        for name in LOGS:
            log = EVENTLOGS / name
            if not log.exists():
                results.append(_missing(name))
                continue
            events = _read(log)
            ours = peer = ours_cpu = peer_cpu = float("inf")
            for _ in range(ROUNDS):  # alternate, so both sides meet the same machine load
                _fresh(empty, target)
                wall, cpu = _timed(partial(_import, log, target))
                ours, ours_cpu = min(ours, wall), min(ours_cpu, cpu)
                wall, cpu = _timed(partial(_read, log))
                peer, peer_cpu = min(peer, wall), min(peer_cpu, cpu)
            assert _import(log, target) == events  # a second import reads it all again
            results.append(
                {
                    "name": f"event-log import of {name} ({events:,} events, SQLite)",
                    "peer": "reading the same XES file alone",
                    "seconds": ours,
                    "peer_seconds": peer,
                    "ratio": ours / peer,
                    "events_per_second": events / ours,
                    "events_per_cpu_second": events / ours_cpu,
                    "detail": f"{events / ours:,.0f} events/s imported vs "
                    f"{events / peer:,.0f} events/s read; per CPU second "
                    f"{events / ours_cpu:,.0f} vs {events / peer_cpu:,.0f}",
                }
            )
    return results


def _missing(name: str) -> dict[str, Any]:
    return {
        "name": f"event-log import of {name}",
        "peer": "reading the same XES file alone",
        "seconds": None,
        "peer_seconds": None,
        "ratio": None,
        "detail": f"{EVENTLOGS / name} is not on this machine",
    }


if __name__ == "__main__":
    for row in run():
        print(row["name"], row["detail"], f"ratio {row['ratio']:.2f}" if row["ratio"] else "")
