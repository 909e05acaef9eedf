"""The reverse funnel: from the quota back to the wins, opportunities, conversations and activities.

Every count is rounded up to a whole number where it is computed, and the next count is
computed from the rounded one (a plan needs whole deals)::

    wins          = ceil(quota / average deal)
    reaching s_k  = ceil(wins / conversion out of s_k)           (last stage before the win)
    reaching s_j  = ceil(reaching s_j+1 / conversion out of s_j)  ... back to the first stage
    opportunities = reaching s_1          (without stages: ceil(wins / win rate))
    pipeline      = opportunities * average deal;   coverage = pipeline / quota
    advances      = every entry into a later stage (reaching s_2 ... reaching s_k, wins)
    conversations = ceil(advances * conversations per advance);  activities likewise
    per seller per week = ceil(count / sellers / weeks)

Each node says why it is needed, and its sensitivity: how many more opportunities (and how
much more pipeline) the plan needs if its rate is one percentage point lower (for the
average deal: one percent smaller). Time-phasing: to close inside the period, a deal must
reach stage *s* between the period's start and end minus the days from *s* to a win.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import Field

from dealgraph.errors import InvalidInput
from dealgraph.planning.assumptions import PlanRates
from dealgraph.planning.period import Period
from dealgraph.planning.rates import Plain, Rate, StageRate

POINT = 0.01
"""One percentage point (and one percent of the average deal) for the sensitivities."""


class Sensitivity(Plain):
    """What losing a little of a node's rate costs: more opportunities and more pipeline."""

    per: str = Field(description="'1 percentage point' or '1 % of the average deal'")
    extra_opportunities: int
    extra_pipeline: float


class GoalNode(Plain):
    """One node of the goal tree: a count (or the quota's value), why it is needed, children."""

    key: str
    label: str
    count: int | None = Field(description="whole deals or interactions; None for the quota")
    value: float | None = Field(description="money: the quota, or count x average deal")
    rate: float | None = Field(description="the rate this node was computed with")
    rate_label: str = ""
    rate_source: str | None = None
    why: str
    sensitivity: Sensitivity | None = None
    children: list[GoalNode] = Field(default_factory=list)


class PhaseWindow(Plain):
    """When opportunities must reach a stage to close inside the period."""

    stage: str
    title: str
    count: int
    days_p50: float = Field(description="median days from reaching the stage to a win")
    days_p90: float
    enter_from: date = Field(description="period start - median days")
    enter_by: date = Field(description="period end - median days")
    slow_from: date = Field(description="period start - p90 days")
    slow_by: date = Field(description="period end - p90 days: slow deals must be in by then")
    late: bool = Field(description="enter_by is already past on the plan's date")
    sentence: str


class ChannelPlan(Plain):
    """Interactions needed on one channel."""

    channel: str
    conversation: bool
    per_advance: float
    total: int
    per_seller_week: float
    rate_source: str


class GoalTree(Plain):
    """The whole plan: headline figures, the tree, time-phasing, channels and the rates used."""

    quota: float
    currency: str
    period: Period
    as_of: date | None
    wins: int
    opportunities: int
    pipeline: float
    coverage: float
    win_rate: float
    sellers: int
    weeks: float
    advances: int | None
    conversations: int | None
    activities: int | None
    root: GoalNode
    time_phasing: list[PhaseWindow]
    channels: list[ChannelPlan]
    rates: PlanRates
    notes: list[str]


def ceil_count(value: float) -> int:
    """Round up to a whole count; a float a hair above an integer (34.0000000001) stays it."""
    return math.ceil(round(value, 9))


def walk_back(wins: int, shares: Sequence[float]) -> list[int]:
    """Counts reaching each step, first step first, walking back from ``wins``.

    Example:
        >>> walk_back(34, [0.5, 0.44])  # 34 / 0.44 -> 78; 78 / 0.5 -> 156
        [156, 78]
    """
    counts: list[int] = []
    following = wins
    for share in reversed(shares):
        following = ceil_count(following / share)
        counts.append(following)
    return counts[::-1]


def build_goal_tree(
    *, quota: float, period: Period, rates: PlanRates, as_of: date | None = None
) -> GoalTree:
    """The goal tree of a quota over a period (see the module doc for every formula).

    Example:
        >>> q1 = parse_period("2027Q1")
        >>> tree = build_goal_tree(quota=2e6, period=q1, rates=rates)  # doctest: +SKIP
        >>> tree.wins, tree.opportunities, tree.pipeline, tree.coverage  # doctest: +SKIP
        (34, 155, 9300000.0, 4.65)
    """
    _check(quota, rates)
    average = rates.average_deal.value
    wins = ceil_count(quota / average)
    steps = _steps(rates)
    counts = walk_back(wins, [share for _, share, _ in steps])
    opportunities = counts[0]
    sellers = int(rates.sellers.value)
    weeks = rates.weeks.value
    advances = sum(counts[1:]) + wins if rates.conversions else None
    talk = _count(advances, rates.conversations_per_advance)
    acts = _count(advances, rates.activities_per_advance)
    builder = _Builder(quota=quota, period=period, rates=rates, wins=wins, counts=counts)
    wins_node = builder.wins_node()
    chain = builder.chain_nodes(steps)
    parent = chain[0]  # the first stage: the tree walks back from the wins to it
    if advances is not None and talk is not None and rates.conversations_per_advance:
        talk_node = builder.interaction_node(
            "conversations", talk, advances, rates.conversations_per_advance, sellers, weeks
        )
        parent.children.append(talk_node)
        parent = talk_node
    if advances is not None and acts is not None and rates.activities_per_advance:
        parent.children.append(
            builder.interaction_node(
                "activities", acts, advances, rates.activities_per_advance, sellers, weeks
            )
        )
    walked_back = chain[::-1]
    for upper, lower in zip([wins_node, *walked_back], walked_back, strict=False):
        upper.children.insert(0, lower)
    pipeline = opportunities * average
    return GoalTree(
        quota=quota,
        currency=rates.currency,
        period=period,
        as_of=as_of,
        wins=wins,
        opportunities=opportunities,
        pipeline=pipeline,
        coverage=pipeline / quota,
        win_rate=rates.win_rate.value,
        sellers=sellers,
        weeks=weeks,
        advances=advances,
        conversations=talk,
        activities=acts,
        root=builder.quota_node(wins_node),
        time_phasing=_phasing(period, rates, counts, as_of),
        channels=_channels(rates, advances, sellers, weeks),
        rates=rates,
        notes=list(rates.notes),
    )


def _check(quota: float, rates: PlanRates) -> None:
    if not math.isfinite(quota) or quota <= 0:
        raise InvalidInput(f"must be a positive amount, got {quota:g}", where="quota")
    if not 0 < rates.win_rate.value <= 1:
        raise InvalidInput(
            f"must be above 0 and at most 1, got {rates.win_rate.value:g}", where="win_rate"
        )
    if not rates.average_deal.value > 0:
        raise InvalidInput(
            f"must be a positive amount, got {rates.average_deal.value:g}", where="average_deal"
        )
    for conversion in rates.conversions:
        if not 0 < conversion.rate.value <= 1:
            raise InvalidInput(
                f"must be above 0 and at most 1, got {conversion.rate.value:g}",
                where=f"conversion -> {conversion.stage}",
            )
    if rates.sellers.value < 1 or rates.weeks.value <= 0:
        raise InvalidInput("sellers and weeks must be positive", where="sellers")
    timed = {t.stage for t in rates.timing}
    untimed = [c.stage for c in rates.conversions if c.stage not in timed]
    if untimed:
        raise InvalidInput(f"no days to a win for {', '.join(untimed)}", where="timing")


def _steps(rates: PlanRates) -> list[tuple[str, float, StageRate | None]]:
    """(key, share, stage conversion) of each opportunity step, first step first."""
    if not rates.conversions:
        return [("opportunities", rates.win_rate.value, None)]
    return [(f"stage:{c.stage}", c.rate.value, c) for c in rates.conversions]


def _count(advances: int | None, per_advance: Rate | None) -> int | None:
    if advances is None or per_advance is None:
        return None
    return ceil_count(advances * per_advance.value)


class _Builder:
    """Builds the nodes of one tree; holds what every node's sentence and sensitivity need."""

    def __init__(
        self, *, quota: float, period: Period, rates: PlanRates, wins: int, counts: list[int]
    ) -> None:
        self.quota = quota
        self.period = period
        self.rates = rates
        self.wins = wins
        self.counts = counts
        self.average = rates.average_deal.value
        self.currency = rates.currency
        self.shares = [share for _, share, _ in _steps(rates)]

    def money(self, value: float) -> str:
        return f"{value:,.0f} {self.currency}"

    def quota_node(self, wins_node: GoalNode) -> GoalNode:
        return GoalNode(
            key="quota",
            label=f"Quota {self.period.label}",
            count=None,
            value=self.quota,
            rate=None,
            why=f"{self.money(self.quota)} to book between {self.period.start} and "
            f"{self.period.end}.",
            children=[wins_node],
        )

    def wins_node(self) -> GoalNode:
        exact = self.quota / self.average
        smaller = self.average * (1 - POINT)
        more_wins = ceil_count(self.quota / smaller)
        top = walk_back(more_wins, self.shares)[0]
        return GoalNode(
            key="wins",
            label="wins",
            count=self.wins,
            value=self.wins * self.average,
            rate=self.average,
            rate_label="average deal",
            rate_source=self.rates.average_deal.label(),
            why=f"{self.money(self.quota)} / {self.money(self.average)} average won deal = "
            f"{exact:,.1f}, rounded up to {self.wins} wins.",
            sensitivity=Sensitivity(
                per="1 % of the average deal",
                extra_opportunities=top - self.counts[0],
                extra_pipeline=(top - self.counts[0]) * smaller,
            ),
        )

    def chain_nodes(self, steps: list[tuple[str, float, StageRate | None]]) -> list[GoalNode]:
        nodes = []
        following = [*self.counts[1:], self.wins]
        for index, (key, share, stage) in enumerate(steps):
            count, after = self.counts[index], following[index]
            if stage is None:
                label, rate_label, source = "opportunities", "win rate", self.rates.win_rate
                why = (
                    f"{after} wins / {share:.1%} win rate = {after / share:,.1f}, rounded up to "
                    f"{count} opportunities ({self.money(count * self.average)} of pipeline, "
                    f"{count * self.average / self.quota:.2f}x the quota)."
                )
            else:
                label = f"opportunities reaching {stage.title}"
                rate_label, source = f"conversion to {stage.next_title}", stage.rate
                last = index == len(steps) - 1
                need = f"{after} wins" if last else f"{after} must reach {stage.next_title}"
                then = "are won" if last else "get there"
                why = (
                    f"{need}, and {share:.1%} of the deals reaching {stage.title} {then}: "
                    f"{after} / {share:.1%} = {after / share:,.1f}, rounded up to {count}."
                )
            nodes.append(
                GoalNode(
                    key=key,
                    label=label,
                    count=count,
                    value=count * self.average,
                    rate=share,
                    rate_label=rate_label,
                    rate_source=source.label(),
                    why=why,
                    sensitivity=self._point_lost(index),
                )
            )
        return nodes

    def _point_lost(self, index: int) -> Sensitivity | None:
        """More opportunities needed when the share of step ``index`` is one point lower."""
        lower = self.shares[index] - POINT
        if lower <= 0:
            return None
        shares = [*self.shares[:index], lower, *self.shares[index + 1 :]]
        extra = walk_back(self.wins, shares)[0] - self.counts[0]
        return Sensitivity(
            per="1 percentage point",
            extra_opportunities=extra,
            extra_pipeline=extra * self.average,
        )

    def interaction_node(
        self, kind: str, total: int, advances: int, rate: Rate, sellers: int, weeks: float
    ) -> GoalNode:
        what = "meetings and calls" if kind == "conversations" else "interactions of any channel"
        weekly = ceil_count(total / sellers / weeks)
        return GoalNode(
            key=kind,
            label=kind,
            count=total,
            value=None,
            rate=rate.value,
            rate_label=f"{kind} per stage advance",
            rate_source=rate.label(),
            why=f"{advances:,} stage advances x {rate.value:.2f} {what} per advance = "
            f"{advances * rate.value:,.1f}, rounded up to {total:,}.",
            children=[
                GoalNode(
                    key=f"{kind}_per_seller_week",
                    label=f"{kind} per seller per week",
                    count=weekly,
                    value=None,
                    rate=sellers * weeks,
                    rate_label="seller-weeks",
                    rate_source=f"sellers: {self.rates.sellers.label()}; "
                    f"weeks: {self.rates.weeks.label()}",
                    why=f"{total:,} {kind} / {sellers} sellers / {weeks:.1f} weeks = "
                    f"{total / sellers / weeks:,.1f}, rounded up to {weekly}.",
                )
            ],
        )


def _phasing(
    period: Period, rates: PlanRates, counts: list[int], as_of: date | None
) -> list[PhaseWindow]:
    if rates.conversions:
        timing = {t.stage: t for t in rates.timing}
        rows = [
            (c.stage, c.title, counts[i], timing[c.stage].p50, timing[c.stage].p90)
            for i, c in enumerate(rates.conversions)
        ]
    else:
        rows = [
            (
                "opportunities",
                "the pipeline",
                counts[0],
                rates.cycle_p50.value,
                rates.cycle_p90.value,
            )
        ]
    windows = []
    for stage, title, count, p50, p90 in rows:
        median, slow = timedelta(days=round(p50)), timedelta(days=round(p90))
        enter_by = period.end - median
        verb = "be created" if stage == "opportunities" else f"reach {title}"
        slow_window = f"between {period.start - slow} and {period.end - slow}"
        windows.append(
            PhaseWindow(
                stage=stage,
                title=title,
                count=count,
                days_p50=p50,
                days_p90=p90,
                enter_from=period.start - median,
                enter_by=enter_by,
                slow_from=period.start - slow,
                slow_by=period.end - slow,
                late=as_of is not None and enter_by < as_of,
                sentence=f"{count} opportunities must {verb} between {period.start - median} "
                f"and {enter_by} ({round(p50)} days to a win at the median; slow deals, "
                f"{round(p90)} days at p90, {slow_window}).",
            )
        )
    return windows


def _channels(
    rates: PlanRates, advances: int | None, sellers: int, weeks: float
) -> list[ChannelPlan]:
    if advances is None:
        return []
    return [
        ChannelPlan(
            channel=c.channel.value,
            conversation=c.conversation,
            per_advance=c.rate.value,
            total=ceil_count(advances * c.rate.value),
            per_seller_week=advances * c.rate.value / sellers / weeks,
            rate_source=c.rate.label(),
        )
        for c in rates.channels
    ]
