"""pm4py's precomputed results for the shipped logs (../shared/data/oracle)."""

from __future__ import annotations

import csv

from tests.conftest import SHARED_DATA

LOGS = {
    "running_example": SHARED_DATA / "eventlogs" / "running-example.xes",
    "receipt": SHARED_DATA / "eventlogs" / "receipt.xes",
    "helpdesk": SHARED_DATA / "eventlogs" / "helpdesk.xes.gz",
}


def oracle_dfg(name: str) -> list[tuple[str, str, int]]:
    """pm4py's directly-follows rows (with __START__/__END__), sorted."""
    with (SHARED_DATA / "oracle" / f"{name}_dfg.csv").open(newline="", encoding="utf-8") as fh:
        return sorted((r["source"], r["target"], int(r["count"])) for r in csv.DictReader(fh))


def oracle_variants(name: str) -> list[tuple[int, int, str]]:
    """pm4py's variants as (count, length, variant), sorted."""
    path = SHARED_DATA / "oracle" / f"{name}_variants.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return sorted((int(r["count"]), int(r["length"]), r["variant"]) for r in csv.DictReader(fh))
