"""The demo's world: the clock, sellers, accounts, offerings and the deals' basic facts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from dealgraph.core.model import Account, Offering
from dealgraph.demo import names

HISTORY_DAYS = 548
"""Deals are created over the 18 months (548 days) before ``as_of``."""

SEGMENTS: dict[str, dict[str, float]] = {
    # median value, value spread (lognormal sigma), stage-time scale, team size range, and
    # the exit risk against the trip model (see docs/demo.md: the demo team wins more
    # than the shipped scenario's, small buyers most)
    "SMB": {
        "median": 20000.0,
        "sigma": 0.55,
        "time": 0.7,
        "team_min": 3,
        "team_max": 5,
        "risk": 0.4,
    },
    "mid-market": {
        "median": 52000.0,
        "sigma": 0.6,
        "time": 1.0,
        "team_min": 4,
        "team_max": 8,
        "risk": 0.47,
    },
    "enterprise": {
        "median": 140000.0,
        "sigma": 0.65,
        "time": 1.45,
        "team_min": 6,
        "team_max": 12,
        "risk": 0.55,
    },
}

RECENT_SHARE = 0.2
"""Share of deals created in the last 180 days on top of an even spread."""

WORKDAY_START = 8 * 60
"""Minutes after midnight when the simulated working day starts."""
WORKDAY_MINUTES = 10.5 * 60
"""Length of the simulated working day in minutes."""

SEGMENT_TOP_LEVEL = {"SMB": 4, "mid-market": 5, "enterprise": 6}
"""Highest Jaques level a buying team reaches in a company of each segment."""


@dataclass(frozen=True)
class Clock:
    """Turns simulation days (floats from the start of the window) into naive UTC times.

    Each calendar day's 24 hours are squeezed into working hours (08:00 to 18:30), which
    keeps the order of events; times are floored to the minute and never pass ``as_of``.
    """

    origin: datetime
    horizon: float
    as_of: datetime

    @classmethod
    def ending(cls, as_of: datetime) -> Clock:
        """A clock whose window is the ``HISTORY_DAYS`` before ``as_of``."""
        end = as_of.replace(microsecond=0)
        return cls(
            origin=end - timedelta(days=HISTORY_DAYS), horizon=float(HISTORY_DAYS), as_of=end
        )

    def at(self, day: float) -> datetime:
        """The time of a simulation day, in working hours, clamped to the window."""
        moment = self.origin + timedelta(days=min(max(day, 0.0), self.horizon))
        midnight = datetime.combine(moment.date(), time())
        share = (moment - midnight) / timedelta(days=1)
        minutes = math.floor(WORKDAY_START + share * WORKDAY_MINUTES)
        return min(midnight + timedelta(minutes=minutes), self.as_of)

    def date_at(self, day: float) -> date:
        """The calendar date of a simulation day; may lie after ``as_of`` (plans, due dates)."""
        return (self.origin + timedelta(days=day)).date()


@dataclass(frozen=True)
class Seller:
    """A seller in the demo team and how effective they are (1.0 = average)."""

    name: str
    skill: float


@dataclass(frozen=True)
class DealFacts:
    """What is fixed about a deal before its journey is simulated."""

    deal_id: int
    account: Account
    segment: str
    seller: Seller
    created: float
    value: float
    currency: str
    offering_id: int
    title: str


def make_sellers(rng: np.random.Generator, count: int = 10) -> list[Seller]:
    """The sales team; skills spread around 1.0 so win rates differ by seller."""
    skills = np.clip(rng.normal(1.0, 0.15, size=count), 0.7, 1.3)
    return [
        Seller(name, round(float(s), 3)) for name, s in zip(names.SELLERS, skills, strict=False)
    ]


def make_offerings() -> list[Offering]:
    """The seller's catalogue (fixed, so problems can be linked to it)."""
    return [
        Offering(id=i, key=key, name=name, summary=summary)
        for i, (key, name, summary) in enumerate(names.OFFERINGS, start=1)
    ]


def segment_of(size: int) -> str:
    """Segment by employees: SMB under 250, enterprise from 2,500."""
    if size < 250:
        return "SMB"
    return "mid-market" if size < 2500 else "enterprise"


def make_accounts(rng: np.random.Generator, count: int = 34) -> list[Account]:
    """Buying organisations with made-up names, industries, sizes and regions."""
    industries = sorted(names.INDUSTRIES)
    heads = rng.permutation(len(names.COMPANY_HEADS))[:count]
    region_names = [r for r, _ in names.REGIONS]
    region_weights = np.array([w for _, w in names.REGIONS])
    regions = rng.choice(len(region_names), size=count, p=region_weights / region_weights.sum())
    # a mixture: a third small, half mid-size, the rest large
    kinds = rng.choice(3, size=count, p=[0.32, 0.48, 0.2])
    logs = np.where(
        kinds == 0,
        rng.uniform(np.log(40), np.log(240), size=count),
        np.where(
            kinds == 1,
            rng.uniform(np.log(260), np.log(2400), size=count),
            rng.uniform(np.log(2600), np.log(60000), size=count),
        ),
    )
    accounts = []
    for i in range(count):
        industry = industries[int(rng.integers(len(industries)))]
        tails = names.INDUSTRIES[industry]
        name = f"{names.COMPANY_HEADS[int(heads[i])]} {tails[int(rng.integers(len(tails)))]}"
        accounts.append(
            Account(
                id=i + 1,
                name=name,
                industry=industry,
                size=int(round(float(np.exp(logs[i])), -1 if logs[i] < np.log(1000) else -2)),
                region=region_names[int(regions[i])],
            )
        )
    return accounts


def currency_for(rng: np.random.Generator, region: str) -> str:
    """USD mostly; GBP in the UK and EUR for most euro-area accounts."""
    if region == "UK & Ireland":
        return "GBP" if rng.random() < 0.8 else "EUR"
    if region in names.EURO_REGIONS:
        return "EUR" if rng.random() < 0.55 else "USD"
    return "USD"


def make_deal_facts(
    rng: np.random.Generator,
    *,
    count: int,
    accounts: list[Account],
    sellers: list[Seller],
    offerings: list[Offering],
    horizon: float,
) -> list[DealFacts]:
    """The deals' fixed facts, created over the window with more of them lately."""
    # creation days over the window, a fifth of them in the last half year (the pipeline
    # grew); sorted so ids follow time
    recent = rng.random(size=count) < RECENT_SHARE
    created = np.where(
        recent,
        rng.uniform(horizon - 180.0, horizon - 1.0, size=count),
        rng.uniform(0.0, horizon - 1.0, size=count),
    )
    created = np.sort(created)
    account_weights = rng.gamma(1.2, 1.0, size=len(accounts))
    picks = rng.choice(len(accounts), size=count, p=account_weights / account_weights.sum())
    seller_picks = rng.integers(len(sellers), size=count)
    offering_picks = rng.choice(len(offerings), size=count, p=[0.3, 0.26, 0.2, 0.12, 0.12])
    noise = rng.standard_normal(size=count)
    facts = []
    for i in range(count):
        account = accounts[int(picks[i])]
        segment = segment_of(account.size or 1)
        shape = SEGMENTS[segment]
        value = shape["median"] * float(np.exp(shape["sigma"] * noise[i]))
        offering = offerings[int(offering_picks[i])]
        purpose = names.DEAL_PURPOSES[int(rng.integers(len(names.DEAL_PURPOSES)))]
        facts.append(
            DealFacts(
                deal_id=i + 1,
                account=account,
                segment=segment,
                seller=sellers[int(seller_picks[i])],
                created=float(created[i]),
                value=float(max(1000.0, round(value / 500.0) * 500.0)),
                currency=currency_for(rng, account.region),
                offering_id=offering.id or 0,
                title=f"{account.name}: {offering.name} {purpose}",
            )
        )
    return facts
