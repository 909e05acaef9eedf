"""Rates from history: a hand-built set of deals, the demo workspace and a real CRM export."""

from __future__ import annotations

import csv
import math
import statistics
from collections import Counter
from datetime import datetime

import pytest

from dealgraph.core.enums import Channel, DealStatus
from dealgraph.core.model import DealRecord, StageChange
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo import build_demo_document
from dealgraph.io.native_json import deal_records
from dealgraph.planning.rates import CONVERSATION_CHANNELS, funnel_stages, history_rates
from tests.conftest import SHARED_DATA
from tests.factories import at, make_deal, make_interaction

MEDDPICC = "meddpicc"
AS_OF = at(400)


def moves(*steps: tuple[str, str, float]) -> list[StageChange]:
    return [StageChange(from_stage=a, to_stage=b, changed_at=at(day)) for a, b, day in steps]


def touches(*pairs: tuple[Channel, float]) -> list[object]:
    return [make_interaction(channel=channel, occurred_at=at(day)) for channel, day in pairs]


def record(status: DealStatus, *, closed: float | None, **fields: object) -> DealRecord:
    changes = fields.pop("changes", [])
    interactions = fields.pop("interactions", [])
    deal = make_deal(
        playbook=fields.pop("playbook", MEDDPICC),
        status=status,
        created_at=at(0),
        closed_at=at(closed) if closed is not None else None,
        **fields,
    )
    return DealRecord(deal=deal, stage_changes=changes, interactions=interactions)


@pytest.fixture(scope="module")
def meddpicc() -> Playbook:
    return get_playbook(MEDDPICC)


@pytest.fixture(scope="module")
def hand_built() -> list[DealRecord]:
    """Eight deals whose rates are counted by hand in the tests below."""
    won, lost = DealStatus.WON, DealStatus.LOST
    return [
        record(  # 1: won through every stage in 100 days; the virtual touch after the win
            won,  # is adoption work, not selling, and is not counted.
            closed=100,
            value=100_000,
            currency="USD",
            owner="ana",
            stage="closed_won",
            changes=moves(
                ("discover", "qualify", 10),
                ("qualify", "validate", 30),
                ("validate", "commit", 60),
                ("commit", "closed_won", 100),
            ),
            interactions=touches(
                (Channel.FIELD, 5),
                (Channel.FIELD, 20),
                (Channel.FIELD, 40),
                (Channel.EMAIL, 6),
                (Channel.EMAIL, 50),
                (Channel.PHONE, 70),
                (Channel.VIRTUAL, 120),
            ),
        ),
        record(  # 2: won in 50 days, skipping validate
            won,
            closed=50,
            value=50_000,
            currency="USD",
            owner="ana",
            stage="closed_won",
            changes=moves(
                ("discover", "qualify", 5), ("qualify", "commit", 20), ("commit", "closed_won", 50)
            ),
            interactions=touches((Channel.VIRTUAL, 3), (Channel.VIRTUAL, 12), (Channel.SOCIAL, 30)),
        ),
        record(  # 3: won in 80 days, in EUR, imported without a stage history
            won,
            closed=80,
            value=80_000,
            currency="EUR",
            owner="ben",
            stage="closed_won",
            interactions=touches((Channel.FIELD, 10)),
        ),
        record(  # 4: lost in qualify
            lost,
            closed=40,
            value=30_000,
            currency="USD",
            owner="ana",
            stage="qualify",
            changes=moves(("discover", "qualify", 10)),
            interactions=touches((Channel.EMAIL, 2), (Channel.EMAIL, 15), (Channel.PHONE, 30)),
        ),
        record(  # 5: got as far as validate, moved back to qualify, lost there
            lost,
            closed=60,
            owner="cy",
            stage="qualify",
            changes=moves(
                ("discover", "qualify", 5), ("qualify", "validate", 15), ("validate", "qualify", 25)
            ),
            interactions=touches((Channel.FIELD, 8), (Channel.INSIDE, 18)),
        ),
        record(  # 6: no decision, never left discover, closed before the sellers' window
            DealStatus.NO_DECISION,
            closed=30,
            owner="cy",
            stage="discover",
            interactions=touches((Channel.EMAIL, 4)),
        ),
        record(  # 7: open
            DealStatus.OPEN,
            closed=None,
            owner="dee",
            stage="qualify",
            changes=moves(("discover", "qualify", 10)),
        ),
        record(won, closed=90, owner="eli", playbook="buyer-journey"),  # 8: other playbook
    ]


def test_win_rate_and_average_deal_by_hand(
    hand_built: list[DealRecord], meddpicc: Playbook
) -> None:
    rates = history_rates(hand_built, meddpicc, as_of=AS_OF)
    assert (rates.deals, rates.other_playbooks, rates.closed, rates.won) == (7, 1, 6, 3)
    assert rates.win_rate is not None and rates.win_rate.value == 0.5  # 3 won / 6 closed
    assert rates.win_rate.deals == 6 and rates.win_rate.label() == "history (n=6)"
    # USD is the dominant currency of the won deals: (100,000 + 50,000) / 2; EUR left out.
    assert rates.currency == "USD" and rates.won_by_currency == {"EUR": 1, "USD": 2}
    assert rates.average_deal is not None
    assert (rates.average_deal.value, rates.average_deal.deals, rates.left_out) == (75_000, 2, 1)
    in_euro = history_rates(hand_built, meddpicc, as_of=AS_OF, currency="EUR")
    assert in_euro.average_deal is not None
    assert (in_euro.average_deal.value, in_euro.average_deal.deals, in_euro.left_out) == (
        80_000,
        1,
        2,
    )


def test_stage_conversions_by_hand(hand_built: list[DealRecord], meddpicc: Playbook) -> None:
    # How far each closed deal got: the three wins to closed_won, deal 4 to qualify, deal 5 to
    # validate (its back-move does not undo that), deal 6 to discover.
    # Reached discover 6, qualify 5, validate 4 (deal 2 skipped it: it counts as passed),
    # commit 3, closed_won 3.
    rates = history_rates(hand_built, meddpicc, as_of=AS_OF)
    got = [(c.stage, c.next_stage, c.rate.value, c.rate.deals) for c in rates.conversions]
    assert got == [
        ("discover", "qualify", 5 / 6, 6),
        ("qualify", "validate", 4 / 5, 5),
        ("validate", "commit", 3 / 4, 4),
        ("commit", "closed_won", 1.0, 3),
    ]
    assert math.prod(c.rate.value for c in rates.conversions) == pytest.approx(0.5)


def test_cycle_and_days_from_each_stage_by_hand(
    hand_built: list[DealRecord], meddpicc: Playbook
) -> None:
    rates = history_rates(hand_built, meddpicc, as_of=AS_OF)
    assert rates.cycle_p50 is not None and rates.cycle_p90 is not None
    # Won in 100, 50 and 80 days; statistics' inclusive quantiles are the peer.
    tenths = statistics.quantiles([100, 50, 80], n=10, method="inclusive")
    assert (rates.cycle_p50.value, rates.cycle_p90.value) == (80, pytest.approx(tenths[8]))
    assert tenths[8] == pytest.approx(96)
    timing = {t.stage: (t.p50, t.deals) for t in rates.timing}
    # qualify reached on day 10 (win on 100) and day 5 (win on 50): 90 and 45 days;
    # validate on day 30 and (skipped: commit reached) day 20: 70 and 30; commit 40 and 30.
    assert timing == {
        "discover": (80, 3),
        "qualify": (67.5, 2),
        "validate": (50, 2),
        "commit": (35, 2),
    }


def test_interactions_per_advance_by_hand(hand_built: list[DealRecord], meddpicc: Playbook) -> None:
    # Closed deals with a stage history: 1, 2, 4, 5. Forward moves: 4 + 3 + 1 + 2 = 10.
    # Their touches up to the close: field 4, email 4, phone 2, virtual 2, social 1, inside 1.
    rates = history_rates(hand_built, meddpicc, as_of=AS_OF)
    per_channel = {c.channel.value: c.rate.value for c in rates.channels}
    assert per_channel == pytest.approx(
        {"field": 0.4, "email": 0.4, "phone": 0.2, "virtual": 0.2, "social": 0.1, "inside": 0.1}
    )
    assert {c.rate.deals for c in rates.channels} == {4}
    assert rates.conversations_per_advance is not None
    assert rates.activities_per_advance is not None
    assert rates.conversations_per_advance.value == pytest.approx(0.9)  # 9 meetings and calls
    assert rates.activities_per_advance.value == pytest.approx(1.4)  # 14 interactions


def test_active_sellers_by_hand(hand_built: list[DealRecord], meddpicc: Playbook) -> None:
    # As of day 400, the window starts on day 35: ana (closed 40, 50, 100), ben (80),
    # cy (60; their day-30 deal alone would not count), dee (open). eli is on another playbook.
    rates = history_rates(hand_built, meddpicc, as_of=AS_OF)
    assert rates.sellers is not None
    assert (rates.sellers.value, rates.sellers.deals) == (4, 6)
    later = history_rates(hand_built, meddpicc, as_of=at(1000))
    assert later.sellers is not None and later.sellers.value == 1  # only dee's open deal


def test_no_history_gives_no_rates(meddpicc: Playbook) -> None:
    rates = history_rates([], meddpicc, as_of=AS_OF)
    assert rates.win_rate is None and rates.average_deal is None and rates.sellers is None
    assert rates.conversions == [] and rates.cycle_p50 is None and rates.channels == []


def test_funnel_stages_end_before_the_won_stage(meddpicc: Playbook) -> None:
    assert funnel_stages(meddpicc) == (["discover", "qualify", "validate", "commit"], "closed_won")


# -- the demo workspace ---------------------------------------------------------------------

DEMO_AS_OF = datetime(2026, 6, 30)


@pytest.fixture(scope="module")
def demo() -> list[DealRecord]:
    return deal_records(build_demo_document(seed=7, as_of=DEMO_AS_OF))


def test_demo_rates_equal_plain_counts(demo: list[DealRecord]) -> None:
    book = get_playbook("buyer-journey")
    rates = history_rates(demo, book, as_of=DEMO_AS_OF)
    closed = [r for r in demo if r.deal.status != DealStatus.OPEN]
    won = [r for r in closed if r.deal.status == DealStatus.WON]
    assert rates.win_rate is not None and rates.win_rate.value == len(won) / len(closed)
    assert 0.2 < rates.win_rate.value < 0.7
    currencies = Counter(r.deal.currency for r in won)
    top = currencies.most_common(1)[0][0]
    values = [r.deal.value for r in won if r.deal.currency == top]
    assert rates.average_deal is not None
    assert rates.average_deal.value == pytest.approx(statistics.fmean(values))
    assert rates.left_out == len(won) - len(values) > 0
    cycle = [(r.deal.closed_at - r.deal.created_at).total_seconds() / 86_400 for r in won]  # type: ignore[operator]
    assert rates.cycle_p50 is not None
    assert rates.cycle_p50.value == pytest.approx(statistics.median(cycle))
    assert 30 < rates.cycle_p50.value < 365
    # Conversions: a plain count of how far each closed deal got along the journey.
    order = book.journey_order
    stages, won_stage = funnel_stages(book)
    furthest = [
        len(stages)
        if r.deal.status == DealStatus.WON
        else max(
            order.index(s)
            for s in [r.deal.stage or order[0]] + [c.to_stage for c in r.stage_changes]
        )
        for r in closed
    ]
    reached = [sum(1 for f in furthest if f >= i) for i in range(len(stages) + 1)]
    assert [c.rate.deals for c in rates.conversions] == reached[:-1]
    assert [c.rate.value for c in rates.conversions] == pytest.approx(
        [reached[i + 1] / reached[i] for i in range(len(stages))]
    )
    assert all(0.5 < c.rate.value <= 1 for c in rates.conversions)
    assert math.prod(c.rate.value for c in rates.conversions) == pytest.approx(rates.win_rate.value)
    assert rates.conversations_per_advance is not None
    assert rates.activities_per_advance is not None
    assert 1 < rates.conversations_per_advance.value < rates.activities_per_advance.value < 20
    talk = sum(c.rate.value for c in rates.channels if c.channel in CONVERSATION_CHANNELS)
    assert talk == pytest.approx(rates.conversations_per_advance.value)
    assert rates.sellers is not None
    assert rates.sellers.value == len({r.deal.owner for r in demo})  # all ten are active


# -- a real CRM export ----------------------------------------------------------------------

MAVEN = SHARED_DATA / "crm_maven" / "sales_pipeline.csv"
MAVEN_STATUS = {"Won": DealStatus.WON, "Lost": DealStatus.LOST}


def maven_records() -> list[DealRecord]:
    """Every opportunity; Prospecting deals have no engage_date and start at the first one."""
    with MAVEN.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = min(row["engage_date"] for row in rows if row["engage_date"])
    records = []
    for row in rows:
        status = MAVEN_STATUS.get(row["deal_stage"], DealStatus.OPEN)
        created = datetime.fromisoformat(row["engage_date"] or first)
        closed = datetime.fromisoformat(row["close_date"]) if row["close_date"] else None
        deal = make_deal(
            title=row["opportunity_id"],
            owner=row["sales_agent"],
            value=float(row["close_value"] or 0),
            currency="USD",
            status=status,
            created_at=created,
            closed_at=closed if status != DealStatus.OPEN else None,
            playbook=MEDDPICC,
        )
        records.append(DealRecord(deal=deal))
    return records


@pytest.mark.skipif(not MAVEN.exists(), reason="shared CRM sample not present")
def test_real_crm_export_matches_its_known_facts(meddpicc: Playbook) -> None:
    records = maven_records()
    rates = history_rates(records, meddpicc, as_of=datetime(2018, 1, 1))
    # SOURCES.md: Won 4,238, Lost 2,473 (win rate 0.6315); won close_value sums to 10,005,534.
    assert (rates.won, rates.closed) == (4238, 4238 + 2473)
    assert rates.win_rate is not None and round(rates.win_rate.value, 4) == 0.6315
    assert rates.average_deal is not None
    assert rates.average_deal.value == pytest.approx(10_005_534 / 4238)
    # Only the current stage and two dates: no stage conversions, no per-advance rates.
    assert rates.conversions == [] and rates.activities_per_advance is None
    won_days = [
        (r.deal.closed_at - r.deal.created_at).days  # type: ignore[operator]
        for r in records
        if r.deal.status == DealStatus.WON
    ]
    assert rates.cycle_p50 is not None
    assert rates.cycle_p50.value == statistics.median(won_days)
