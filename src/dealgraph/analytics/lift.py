"""Signal lift: how much more often deals are lost when a signal fired on them.

The loss rate counts lost and no-decision deals among closed ones (won, lost, no decision).
A signal's lift is its deals' loss rate over the base loss rate of all closed deals; above 1
the signal marks deals more likely to be lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import ibis.expr.types as ir
import pyarrow as pa

from dealgraph.analytics.funnel import check_columns
from dealgraph.analytics.stats import ratio, wilson_interval
from dealgraph.core.history import History
from dealgraph.core.model import DealRecord
from dealgraph.core.playbook.schema import Playbook
from dealgraph.core.signals import evaluate_signals
from dealgraph.core.snapshot import judging_time, record_as_of

LOSS_STATUSES = ("lost", "no_decision")
CLOSED_STATUSES = ("won", *LOSS_STATUSES)

LIFT_SCHEMA = pa.schema(
    [
        ("signal", pa.string()),
        ("deals", pa.int64()),
        ("losses", pa.int64()),
        ("loss_rate", pa.float64()),
        ("base_loss_rate", pa.float64()),
        ("lift", pa.float64()),
        ("low", pa.float64()),
        ("high", pa.float64()),
    ]
)


def signal_lift(
    fired: ir.Table,
    cases: ir.Table,
    *,
    case: str = "case",
    signal: str = "signal",
    status: str = "status",
) -> pa.Table:
    """For each signal: closed deals where it fired, their loss rate, lift and Wilson 95% interval.

    ``fired`` holds (case, signal) rows, a row per signal per deal (repeats count once);
    ``cases`` gives each case's status. Only closed cases count. Columns: signal, deals,
    losses, loss_rate, base_loss_rate, lift (loss_rate / base_loss_rate), low, high,
    sorted by lift then deals, highest first.

    Example:
        >>> signal_lift(fired, cases).column("lift")  # doctest: +SKIP
    """
    check_columns(fired, [case, signal], where="fired")
    check_columns(cases, [case, status], where="cases")
    closed = cases.filter(cases[status].cast("string").isin(CLOSED_STATUSES)).select(
        case=cases[case].cast("string"),
        lost=cases[status].cast("string").isin(LOSS_STATUSES).cast("int64"),
    )
    base = closed.aggregate(closed_deals=closed.count(), lost_deals=closed.lost.sum())
    base_row = base.to_pyarrow().to_pylist()[0]
    base_rate = ratio(base_row["lost_deals"] or 0, base_row["closed_deals"])
    pairs = fired.select(
        case=fired[case].cast("string"), signal=fired[signal].cast("string")
    ).distinct()
    joined = pairs.join(closed, "case")
    per_signal = joined.group_by("signal").aggregate(
        deals=joined.count().cast("int64"), losses=joined.lost.sum().cast("int64")
    )
    rows = []
    for row in per_signal.to_pyarrow().to_pylist():
        low, high = wilson_interval(row["losses"], row["deals"])
        loss_rate = row["losses"] / row["deals"]
        rows.append(
            {
                **row,
                "loss_rate": loss_rate,
                "base_loss_rate": base_rate,
                "lift": ratio(loss_rate, base_rate),
                "low": low,
                "high": high,
            }
        )
    rows.sort(key=lambda r: (-(r["lift"] or 0.0), -r["deals"], r["signal"]))
    return pa.Table.from_pylist(rows, schema=LIFT_SCHEMA)


def signals_fired(
    records: Iterable[DealRecord],
    playbook: Playbook,
    history: History,
    *,
    lead: timedelta = timedelta(days=30),
) -> pa.Table:
    """(case, signal) for every signal that fired on each closed deal before its outcome was known.

    Each closed deal is judged as it stood ``lead`` before its close (halfway through its
    life if that was shorter; see ``core.snapshot``): what the GPS showed the seller then,
    not the close itself, where a won deal has already decided everything. Deals on another
    playbook, still open, or without a close time are skipped. ``case`` is the deal id as a
    string.

    Example:
        >>> signals_fired(records, book, build_history(records, book))  # doctest: +SKIP
    """
    cases: list[str] = []
    keys: list[str] = []
    for record in records:
        if record.deal.playbook != playbook.key:
            continue
        at = judging_time(record, lead=lead)
        if at is None:
            continue
        then = record_as_of(record, at)
        fired = {s.key for s in evaluate_signals(then, playbook, history, as_of=at)}
        for key in sorted(fired):
            cases.append(str(record.deal.id))
            keys.append(key)
    return pa.table({"case": pa.array(cases, pa.string()), "signal": pa.array(keys, pa.string())})
