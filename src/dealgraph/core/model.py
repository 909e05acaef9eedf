"""The domain model: plain pydantic records, valid by construction.

Times are naive UTC datetimes and dates; money is a float in the deal's currency.
Ids are integers given by the store; a record not yet stored has ``id=None``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dealgraph.core.enums import (
    Channel,
    DealStatus,
    DecisionStatus,
    Direction,
    Influence,
    Outcome,
    PlanSide,
    ProblemKind,
    ResponseMode,
    Role,
)
from dealgraph.core.levels import MAX_LEVEL, MIN_LEVEL


class Record(BaseModel):
    """Base of every domain record: strict fields, assignment checked."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator("*", mode="after")
    @classmethod
    def _naive_utc(cls, value: object) -> object:
        """Store every time as naive UTC so SQLite, PostgreSQL and JSON agree."""
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        return value


class Account(Record):
    """The buying organisation."""

    id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    industry: str = ""
    size: int | None = Field(default=None, ge=1, description="employees")
    region: str = ""
    external_id: str | None = Field(default=None, description="its id in the source system")
    source: str | None = Field(default=None, description="the system it was imported from")


class Offering(Record):
    """Something the seller offers that can answer a buyer's problem."""

    id: int | None = None
    key: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    summary: str = ""


class Stakeholder(Record):
    """A person on the buying side of one deal."""

    id: int | None = None
    deal_id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    role: Role = Role.OTHER
    level: int = Field(default=2, ge=MIN_LEVEL, le=MAX_LEVEL, description="Jaques stratum, 1–7")
    stance: int = Field(default=0, ge=-2, le=2, description="-2 enemy .. +2 champion")
    influence: Influence = Influence.MEDIUM
    response_mode: ResponseMode | None = None
    reports_to: int | None = None
    added_at: datetime | None = None
    notes: str = ""
    version: int = 1
    external_id: str | None = Field(default=None, description="its id in the source system")
    source: str | None = Field(default=None, description="the system it was imported from")


class Decision(Record):
    """One node of the buyer's decision graph on a deal."""

    id: int | None = None
    deal_id: int | None = None
    key: str | None = Field(default=None, description="template key it came from, if any")
    title: str = Field(min_length=1, max_length=200)
    stage: str | None = Field(default=None, description="playbook stage the decision belongs to")
    requires: list[int] = Field(default_factory=list, description="ids of decisions it depends on")
    owners: list[int] = Field(default_factory=list, description="stakeholder ids")
    roles: list[Role] = Field(default_factory=list, description="roles that must be involved")
    level: int = Field(default=3, ge=MIN_LEVEL, le=MAX_LEVEL, description="Jaques stratum, 1–7")
    status: DecisionStatus = DecisionStatus.OPEN
    expected_days: int = Field(default=14, ge=0, description="typical days to make it")
    due: date | None = None
    decided_at: datetime | None = None
    version: int = 1


class Deal(Record):
    """An opportunity: one buying organisation travelling one playbook's journey."""

    id: int | None = None
    title: str = Field(min_length=1, max_length=200)
    account_id: int | None = None
    owner: str = Field(min_length=1, max_length=200, description="the seller who owns it")
    value: float = Field(default=0.0, ge=0)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    created_at: datetime
    expected_close: date | None = None
    playbook: str = "buyer-journey"
    playbook_version: str = "1"
    stage: str | None = Field(default=None, description="current stage (derived from evidence)")
    stage_entered_at: datetime | None = None
    status: DealStatus = DealStatus.OPEN
    closed_at: datetime | None = None
    loss_reason: str = ""
    segment: str = ""
    version: int = 1
    external_id: str | None = Field(default=None, description="its id in the source system")
    source: str | None = Field(default=None, description="the system it was imported from")


class Interaction(Record):
    """A touch between seller and buyer."""

    id: int | None = None
    deal_id: int | None = None
    occurred_at: datetime
    channel: Channel
    direction: Direction = Direction.TWO_WAY
    play: str | None = None
    participants: list[int] = Field(default_factory=list, description="stakeholder ids")
    summary: str = ""
    outcome: Outcome = Outcome.NEUTRAL
    evidence: list[str] = Field(default_factory=list, description="criteria keys it produced")
    seller: str = ""
    external_id: str | None = Field(default=None, description="its id in the source system")
    source: str | None = Field(default=None, description="the system it was imported from")


class Evidence(Record):
    """An exit criterion met on a deal."""

    id: int | None = None
    deal_id: int | None = None
    criterion: str = Field(min_length=1)
    interaction_id: int | None = None
    recorded_at: datetime
    note: str = ""


class PlanItem(Record):
    """An item of the mutual plan agreed between buyer and seller."""

    id: int | None = None
    deal_id: int | None = None
    title: str = Field(min_length=1, max_length=300)
    side: PlanSide = PlanSide.JOINT
    owner: str = ""
    due: date | None = None
    done: bool = False
    done_at: datetime | None = None
    depends_on: list[int] = Field(default_factory=list, description="plan item ids")
    decision_id: int | None = None


class StageChange(Record):
    """A move of the deal's GPS position, kept as history."""

    id: int | None = None
    deal_id: int | None = None
    from_stage: str | None = None
    to_stage: str
    changed_at: datetime
    interaction_id: int | None = None
    external_id: str | None = Field(default=None, description="its id in the source system")
    source: str | None = Field(default=None, description="the system it was imported from")


class CloseDateChange(Record):
    """A change of the deal's expected close date."""

    id: int | None = None
    deal_id: int | None = None
    changed_at: datetime
    from_date: date | None = None
    to_date: date | None = None


class ProblemItem(Record):
    """A goal, pressure, obstacle or initiative of the buyer, in their words."""

    id: int | None = None
    deal_id: int | None = None
    kind: ProblemKind
    statement: str = Field(min_length=1, max_length=500)
    confirmed_by: int | None = Field(default=None, description="stakeholder id who stated it")
    confirmed_at: datetime | None = None
    decisions: list[int] = Field(default_factory=list, description="decision ids it drives")
    offerings: list[int] = Field(default_factory=list, description="offering ids that answer it")


class DealRecord(BaseModel):
    """Everything known about one deal: the input of the GPS and the signals."""

    model_config = ConfigDict(extra="forbid")

    deal: Deal
    account: Account | None = None
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    interactions: list[Interaction] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    plan: list[PlanItem] = Field(default_factory=list)
    stage_changes: list[StageChange] = Field(default_factory=list)
    close_date_changes: list[CloseDateChange] = Field(default_factory=list)
    problems: list[ProblemItem] = Field(default_factory=list)


__all__ = [
    "Account",
    "Channel",
    "CloseDateChange",
    "Deal",
    "DealRecord",
    "DealStatus",
    "Decision",
    "DecisionStatus",
    "Direction",
    "Evidence",
    "Influence",
    "Interaction",
    "Offering",
    "Outcome",
    "PlanItem",
    "PlanSide",
    "ProblemItem",
    "ProblemKind",
    "ResponseMode",
    "Role",
    "StageChange",
    "Stakeholder",
]
