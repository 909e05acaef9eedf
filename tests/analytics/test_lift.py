"""Signal lift on hand-made tables, and which signals fired on closed deals at their close."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from dealgraph.analytics.lift import signal_lift, signals_fired
from dealgraph.core.enums import DealStatus
from dealgraph.core.history import History
from dealgraph.core.model import DealRecord
from dealgraph.core.signals import evaluate_signals
from dealgraph.core.snapshot import record_as_of
from dealgraph.errors import InvalidInput
from tests.factories import at, make_deal, make_stakeholder, playbook


def table(**columns: list[str]) -> ir.Table:
    return ibis.memtable(pa.table({name: pa.array(v, pa.string()) for name, v in columns.items()}))


def cases() -> ir.Table:
    # Closed: d1..d5 (won, lost, lost, no_decision, won); d6 is open and never counts.
    # Base loss rate: 3 losses (lost, lost, no decision) of 5 closed = 0.6.
    return table(
        case=["d1", "d2", "d3", "d4", "d5", "d6"],
        status=["won", "lost", "lost", "no_decision", "won", "open"],
    )


def test_loss_rate_lift_and_interval_per_signal() -> None:
    fired = table(
        case=["d2", "d3", "d4", "d4", "d6", "d1", "d5", "d2"],
        signal=["ghost", "ghost", "ghost", "ghost", "ghost", "quiet", "quiet", "quiet"],
    )
    rows = {r["signal"]: r for r in signal_lift(fired, cases()).to_pylist()}
    ghost = rows["ghost"]
    # ghost: d2, d3, d4 (d4 twice counts once; d6 is open) -> 3 deals, 3 losses.
    assert (ghost["deals"], ghost["losses"], ghost["loss_rate"]) == (3, 3, 1.0)
    assert ghost["base_loss_rate"] == pytest.approx(0.6)
    assert ghost["lift"] == pytest.approx(1 / 0.6)
    # Wilson 3 of 3: lower bound 3 / (3 + 1.96²) = 0.4385, upper bound 1.
    assert ghost["low"] == pytest.approx(0.4385, abs=1e-4)
    assert ghost["high"] == 1.0
    quiet = rows["quiet"]
    # quiet: d1 (won), d5 (won), d2 (lost) -> 1 of 3, lift (1/3) / 0.6 = 0.5556.
    assert (quiet["deals"], quiet["losses"]) == (3, 1)
    assert quiet["lift"] == pytest.approx((1 / 3) / 0.6)
    order = [r["signal"] for r in signal_lift(fired, cases()).to_pylist()]
    assert order == ["ghost", "quiet"]


def test_no_signals_give_an_empty_table_with_the_columns() -> None:
    result = signal_lift(table(case=[], signal=[]), cases())
    assert result.num_rows == 0
    assert result.column_names[:3] == ["signal", "deals", "losses"]


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidInput, match="fired: missing column\\(s\\) signal"):
        signal_lift(table(case=["d1"]), cases())
    with pytest.raises(InvalidInput, match="cases: missing column\\(s\\) status"):
        signal_lift(table(case=["d1"], signal=["x"]), table(case=["d1"]))


def test_signals_fired_on_closed_deals_before_their_close() -> None:
    book = playbook()
    lost = DealRecord(
        deal=make_deal(id=7, status=DealStatus.LOST, closed_at=at(60), created_at=at(0))
    )
    still_open = DealRecord(deal=make_deal(id=8, created_at=at(0)))
    history = History()
    fired = signals_fired([lost, still_open], book, history)
    # What the GPS showed 30 days before the close, the deal still open then.
    then = record_as_of(lost, at(30))
    assert then.deal.status == DealStatus.OPEN
    expected = sorted({s.key for s in evaluate_signals(then, book, history, as_of=at(30))})
    assert expected, "a deal with no buying team should fire signals"
    assert fired.column("signal").to_pylist() == expected
    # The open deal gets no row; every row names deal 7.
    assert set(fired.column("case").to_pylist()) == {"7"}


def test_signals_fired_ignore_what_happened_after_the_judging_time() -> None:
    # A won deal whose champion joined only in its last week: judged 30 days before the
    # close, it was still single-threaded with no champion; the late joiner must not count.
    book = playbook()
    base = make_deal(id=9, status=DealStatus.WON, closed_at=at(90), created_at=at(0))
    early = DealRecord(deal=base)
    late = DealRecord(
        deal=base,
        stakeholders=[
            make_stakeholder(id=1, deal_id=9, role="champion", stance=2, added_at=at(85)),
            make_stakeholder(id=2, deal_id=9, role="economic_buyer", level=5, added_at=at(86)),
        ],
    )
    history = History()
    assert signals_fired([late], book, history).equals(signals_fired([early], book, history))
