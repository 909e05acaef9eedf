"""The Patterns page's panels: pattern reports over the deals a user may see, filtered.

Each panel function takes the session, the user and ``PatternFilters`` (creation period,
seller, segment) and returns a pydantic model: a seller's patterns are over their own deals,
a manager's over the team's, an admin's over every deal (``access.visible_owners``).
``patterns_overview`` computes every panel from one scoped event log for the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from dealgraph.analytics.conformance import CaseConformance
from dealgraph.analytics.journey import JourneyMap
from dealgraph.analytics.stats import Rate
from dealgraph.analytics.variants import Variant
from dealgraph.core.playbook.schema import Playbook
from dealgraph.core.signals_builtin import BUILTIN_SIGNALS
from dealgraph.core.users import User
from dealgraph.errors import Forbidden, InvalidInput
from dealgraph.services.access import visible_owners
from dealgraph.services.common import now, playbook_named

JourneyLevel = Literal["stages", "activities"]


class PatternFilters(BaseModel):
    """Which deals a pattern report covers: created in a period, by a seller, in a segment."""

    model_config = ConfigDict(extra="forbid")

    created_from: date | None = Field(default=None, description="created on or after this day")
    created_to: date | None = Field(default=None, description="created on or before this day")
    seller: str | None = Field(default=None, description="only this seller's deals")
    segment: str | None = Field(default=None, description="only deals in this segment")

    @model_validator(mode="after")
    def _period_in_order(self) -> PatternFilters:
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise InvalidInput(
                f"created_from {self.created_from} is after created_to {self.created_to}",
                where="created_from",
            )
        return self

    def query(self) -> dict[str, str]:
        """The filters that are set, as query parameters."""
        return {k: str(v) for k, v in self.model_dump(exclude_none=True).items() if v != ""}


class JourneyPanel(BaseModel):
    """The journey map of the deals in scope, over stages only or every activity."""

    deals: int
    level: JourneyLevel
    stages: list[str] = Field(description="the playbook's stage keys in journey order")
    anchors: dict[str, str] = Field(
        default_factory=dict, description="play key -> the stage it is designed for"
    )
    total_edges: int
    journey: JourneyMap


class VariantsPanel(BaseModel):
    """The most frequent paths through the stages, with count, share and win rate."""

    deals: int
    total: int = Field(description="distinct variants before the top N were kept")
    variants: list[Variant]


class FunnelStage(BaseModel):
    """One stage of the funnel: deals reaching it, conversion and time in stage (days)."""

    stage: str
    title: str
    stage_index: int
    reached: int
    conversion: float | None
    visits: int
    median_days: float | None
    p90_days: float | None


class FunnelPanel(BaseModel):
    """The funnel of the deals in scope, in journey order."""

    deals: int
    stages: list[FunnelStage]


class ConformancePanel(BaseModel):
    """How the deals kept to the playbook, and the win rates of conforming vs deviating."""

    deals: int = Field(description="deals with at least one stage event")
    conforming_deals: int
    deviating_deals: int
    conforming: Rate | None
    deviating: Rate | None
    least_conforming: list[CaseConformance]


class ChannelRow(BaseModel):
    """Interactions of one channel in one stage and how often an advance followed."""

    stage: str
    title: str
    stage_index: int
    channel: str
    interactions: int
    advanced: int
    advance_share: float
    median_days_to_advance: float | None


class ChannelsPanel(BaseModel):
    """Channel effectiveness per stage within ``within_days``."""

    within_days: float
    rows: list[ChannelRow]


class SignalRow(BaseModel):
    """A signal's loss rate on the closed deals where it fired, with its Wilson interval."""

    signal: str
    title: str
    deals: int
    losses: int
    loss_rate: float
    base_loss_rate: float | None
    lift: float | None
    low: float
    high: float


class SignalsPanel(BaseModel):
    """Signal lift over the closed deals in scope."""

    closed_deals: int
    base_loss_rate: float | None
    rows: list[SignalRow]


class StallRow(BaseModel):
    """An open deal and the days it has sat in its stage against that stage's history."""

    deal_id: int
    stage: str
    title: str
    entered: datetime
    days_in_stage: float
    median_days: float | None
    p90_days: float | None
    ratio: float | None


class StallsPanel(BaseModel):
    """Open deals sitting longest in their stage, as of a time."""

    as_of: datetime
    rows: list[StallRow]


class PatternsOverview(BaseModel):
    """Every panel of the Patterns page, and the choices its filters offer."""

    filters: PatternFilters
    playbook: str
    deals: int
    sellers: list[str]
    segments: list[str]
    journey: JourneyPanel
    variants: VariantsPanel
    funnel: FunnelPanel
    conformance: ConformancePanel
    channels: ChannelsPanel
    signals: SignalsPanel
    stalls: StallsPanel


@dataclass
class _Scope:
    """The event log and case table of the deals in scope, bound to one DuckDB connection."""

    events: ir.Table
    cases: ir.Table
    case_keys: set[str]
    sellers: list[str]
    segments: list[str]
    playbook: Playbook

    @property
    def deals(self) -> int:
        return len(self.case_keys)

    def title(self, stage: str) -> str:
        for item in self.playbook.stages:
            if item.key == stage:
                return item.title
        return stage


def _scope(session: Session, *, user: User, filters: PatternFilters, playbook: str) -> _Scope:
    from dealgraph.analytics.engine import connect
    from dealgraph.analytics.eventlog import event_log
    from dealgraph.services.patterns import cached_event_log

    book = playbook_named(playbook)
    events, cases = cached_event_log(session)
    owners = visible_owners(session, user=user)
    if owners is not None and filters.seller and filters.seller not in owners:
        raise Forbidden(f"the deals of {filters.seller} are not visible to you")
    if owners is not None:
        cases = cases.filter(pc.is_in(cases["seller"], pa.array(sorted(owners), pa.string())))
    sellers = sorted({s for s in cases.column("seller").to_pylist() if s})
    segments = sorted({s for s in cases.column("segment").to_pylist() if s})
    mask = pc.is_valid(cases["case"])
    if filters.seller:
        mask = pc.and_(mask, pc.equal(cases["seller"], filters.seller))
    if filters.segment:
        mask = pc.and_(mask, pc.equal(cases["segment"], filters.segment))
    if filters.created_from:
        start = datetime.combine(filters.created_from, datetime.min.time())
        mask = pc.and_(mask, pc.greater_equal(cases["created_at"], pa.scalar(start)))
    if filters.created_to:
        end = datetime.combine(filters.created_to + timedelta(days=1), datetime.min.time())
        mask = pc.and_(mask, pc.less(cases["created_at"], pa.scalar(end)))
    cases = cases.filter(mask)
    keys = cases.column("case")
    events = events.filter(pc.is_in(events["case"], keys))
    con = connect()
    return _Scope(
        events=event_log(con, events),
        cases=con.create_table("dealgraph_scoped_cases", obj=cases, temp=True),
        case_keys=set(keys.to_pylist()),
        sellers=sellers,
        segments=segments,
        playbook=book,
    )


def _journey(scope: _Scope, *, level: JourneyLevel, top: int) -> JourneyPanel:
    from dealgraph.analytics.journey import journey_map

    events = scope.events
    stages = scope.playbook.journey_order
    if level == "stages":
        events = events.filter(events.activity.isin(stages))
    found = journey_map(events)
    return JourneyPanel(
        deals=scope.deals,
        level=level,
        stages=stages,
        anchors={p.key: p.stage for p in scope.playbook.plays if p.stage in stages},
        total_edges=len(found.edges),
        journey=found.top(top),
    )


def _variants(scope: _Scope, *, top: int) -> VariantsPanel:
    from dealgraph.analytics.variants import variants

    events = scope.events.filter(scope.events.activity.isin(scope.playbook.journey_order))
    found = variants(events, scope.cases)
    return VariantsPanel(deals=scope.deals, total=len(found), variants=found[:top])


def _funnel(scope: _Scope) -> FunnelPanel:
    from dealgraph.analytics.funnel import funnel

    rows = funnel(scope.events, stages=scope.playbook.journey_order).to_pylist()
    reached = {row["stage"]: row for row in rows}
    stages = []
    # Every stage is listed, in journey order, even when no deal in scope reached it.
    for index, key in enumerate(scope.playbook.journey_order):
        row = reached.get(key, {})
        stages.append(
            FunnelStage(
                stage=key,
                title=scope.title(key),
                stage_index=index,
                reached=int(row.get("reached") or 0),
                conversion=row.get("conversion"),
                visits=int(row.get("visits") or 0),
                median_days=row.get("median_days"),
                p90_days=row.get("p90_days"),
            )
        )
    return FunnelPanel(deals=scope.deals, stages=stages)


def _conformance(scope: _Scope, *, limit: int) -> ConformancePanel:
    from dealgraph.analytics.conformance import conformance

    report = conformance(scope.events, scope.playbook, cases=scope.cases)
    deviating = sorted((c for c in report.cases if c.fitness < 1), key=lambda c: c.fitness)
    return ConformancePanel(
        deals=len(report.cases),
        conforming_deals=len(report.cases) - len(deviating),
        deviating_deals=len(deviating),
        conforming=report.conforming,
        deviating=report.deviating,
        least_conforming=deviating[:limit],
    )


def _channels(scope: _Scope, *, within_days: float) -> ChannelsPanel:
    from dealgraph.analytics.channels import channel_effectiveness

    table = channel_effectiveness(
        scope.events, stages=scope.playbook.journey_order, within_days=within_days
    )
    rows = [ChannelRow(title=scope.title(r["stage"]), **r) for r in table.to_pylist()]
    return ChannelsPanel(within_days=within_days, rows=rows)


def _signals(session: Session, scope: _Scope) -> SignalsPanel:
    from dealgraph.analytics.lift import CLOSED_STATUSES, LOSS_STATUSES, signal_lift
    from dealgraph.services.patterns import workspace_signals_fired

    fired = workspace_signals_fired(session, playbook_key=scope.playbook.key)
    fired = fired.filter(pc.is_in(fired["case"], pa.array(sorted(scope.case_keys), pa.string())))
    table = signal_lift(ibis.memtable(fired), scope.cases)
    titles = {s.key: s.title for s in BUILTIN_SIGNALS}
    rows = [
        SignalRow(title=titles.get(r["signal"], r["signal"].replace("_", " ")), **r)
        for r in table.to_pylist()
    ]
    statuses = scope.cases.status.to_pyarrow().to_pylist()
    closed = sum(1 for s in statuses if s in CLOSED_STATUSES)
    lost = sum(1 for s in statuses if s in LOSS_STATUSES)
    return SignalsPanel(
        closed_deals=closed, base_loss_rate=lost / closed if closed else None, rows=rows
    )


def _stalls(scope: _Scope, *, as_of: datetime, limit: int) -> StallsPanel:
    from dealgraph.analytics.stalls import stalls

    table = stalls(
        scope.events, stages=scope.playbook.journey_order, as_of=as_of, cases=scope.cases
    )
    rows = [
        StallRow(
            deal_id=int(r["case"]),
            stage=r["stage"],
            title=scope.title(r["stage"]),
            entered=r["entered"],
            days_in_stage=r["days_in_stage"],
            median_days=r["median_days"],
            p90_days=r["p90_days"],
            ratio=r["ratio"],
        )
        for r in table.to_pylist()[:limit]
    ]
    return StallsPanel(as_of=as_of, rows=rows)


def journey_panel(
    session: Session,
    *,
    user: User,
    filters: PatternFilters,
    playbook: str,
    level: JourneyLevel = "stages",
    top: int = 40,
) -> JourneyPanel:
    """The journey map of the visible deals: stage to stage, or between every activity."""
    scope = _scope(session, user=user, filters=filters, playbook=playbook)
    return _journey(scope, level=level, top=top)


def variants_panel(
    session: Session, *, user: User, filters: PatternFilters, playbook: str, top: int = 15
) -> VariantsPanel:
    """The ``top`` most frequent stage paths of the visible deals, with win rates."""
    return _variants(_scope(session, user=user, filters=filters, playbook=playbook), top=top)


def funnel_panel(
    session: Session, *, user: User, filters: PatternFilters, playbook: str
) -> FunnelPanel:
    """Deals reaching each stage, conversion and time in stage, over the visible deals."""
    return _funnel(_scope(session, user=user, filters=filters, playbook=playbook))


def conformance_panel(
    session: Session, *, user: User, filters: PatternFilters, playbook: str, limit: int = 10
) -> ConformancePanel:
    """Conformance to the playbook of the visible deals; the ``limit`` least conforming."""
    scope = _scope(session, user=user, filters=filters, playbook=playbook)
    return _conformance(scope, limit=limit)


def channels_panel(
    session: Session,
    *,
    user: User,
    filters: PatternFilters,
    playbook: str,
    within_days: float = 30.0,
) -> ChannelsPanel:
    """Per stage and channel, how often a touch was followed by an advance."""
    scope = _scope(session, user=user, filters=filters, playbook=playbook)
    return _channels(scope, within_days=within_days)


def signals_panel(
    session: Session, *, user: User, filters: PatternFilters, playbook: str
) -> SignalsPanel:
    """Signal lift over the visible closed deals (history learned as the GPS learns it)."""
    return _signals(session, _scope(session, user=user, filters=filters, playbook=playbook))


def stalls_panel(
    session: Session,
    *,
    user: User,
    filters: PatternFilters,
    playbook: str,
    as_of: datetime | None = None,
    limit: int = 20,
) -> StallsPanel:
    """Visible open deals sitting longest in their stage against that stage's history."""
    scope = _scope(session, user=user, filters=filters, playbook=playbook)
    return _stalls(scope, as_of=as_of or now(), limit=limit)


def patterns_overview(
    session: Session,
    *,
    user: User,
    filters: PatternFilters,
    playbook: str,
    level: JourneyLevel = "stages",
    as_of: datetime | None = None,
) -> PatternsOverview:
    """Every panel of the Patterns page, computed from one scoped event log."""
    scope = _scope(session, user=user, filters=filters, playbook=playbook)
    return PatternsOverview(
        filters=filters,
        playbook=playbook,
        deals=scope.deals,
        sellers=scope.sellers,
        segments=scope.segments,
        journey=_journey(scope, level=level, top=40),
        variants=_variants(scope, top=15),
        funnel=_funnel(scope),
        conformance=_conformance(scope, limit=10),
        channels=_channels(scope, within_days=30.0),
        signals=_signals(session, scope),
        stalls=_stalls(scope, as_of=as_of or now(), limit=20),
    )
