"""API schemas, named by purpose: ``XCreate`` in, ``XUpdate`` in with ``version``, ``XPublic`` out.

Create and update bodies list only what a client may set (ids, versions of other records and
derived fields stay server-side). Output models reuse the domain records where those are safe
to show as they are.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.buyer_view import BuyerView
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
    UserRole,
)
from dealgraph.core.gps import GpsReport
from dealgraph.core.levels import MAX_LEVEL, MIN_LEVEL
from dealgraph.core.model import (
    Deal,
    DealRecord,
    Decision,
    Evidence,
    Interaction,
    PlanItem,
    ProblemItem,
    StageChange,
    Stakeholder,
)
from dealgraph.core.signals_base import Signal
from dealgraph.core.users import ApiToken, ShareLink, User
from dealgraph.services.pipeline import PipelineRow
from dealgraph.services.playbooks import PlaybookSummary as PlaybookSummary


class Body(BaseModel):
    """Base of request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- users and sessions -------------------------------------------------------------------


class UserPublic(BaseModel):
    """A user as the API shows it (never a password hash)."""

    id: int
    email: str
    name: str
    role: UserRole
    team: str
    active: bool
    created_at: datetime

    @classmethod
    def from_user(cls, user: User) -> UserPublic:
        """The public view of a user record."""
        assert user.id is not None
        return cls.model_validate(user.model_dump(exclude={"version"}))


class UsersPublic(BaseModel):
    """A list of users."""

    data: list[UserPublic]
    count: int


class UserCreate(Body):
    """Add a user (admins only)."""

    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=200)
    role: UserRole
    password: str = Field(min_length=1, max_length=1024)
    team: str = ""


class SessionCreate(Body):
    """Sign in with email and password."""

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class SessionPublic(BaseModel):
    """A started session: who signed in and the CSRF token for later writes."""

    user: UserPublic
    csrf_token: str


class TokenCreate(Body):
    """Name a new API token (e.g. the script that will use it)."""

    name: str = Field(min_length=1, max_length=200)


class TokenPublic(ApiToken):
    """An API token as listed (never its secret)."""


class TokenCreated(BaseModel):
    """A new API token; ``token`` is shown this once and cannot be read again."""

    token: str
    api_token: TokenPublic


class TokensPublic(BaseModel):
    """The caller's API tokens (without secrets)."""

    data: list[TokenPublic]
    count: int


# --- deals --------------------------------------------------------------------------------


class DealCreate(Body):
    """Open a deal; the account is named (created when new) or given by id."""

    title: str = Field(min_length=1, max_length=200)
    account_name: str | None = Field(default=None, min_length=1, max_length=200)
    account_id: int | None = None
    owner: str | None = Field(
        default=None, min_length=1, max_length=200, description="default: the caller's name"
    )
    value: float = Field(default=0.0, ge=0)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    expected_close: date | None = None
    playbook: str | None = Field(default=None, description="default: the workspace default")
    segment: str = ""


class DealUpdate(Body):
    """Change a deal; ``version`` is the version you read (a stale one gets 409)."""

    version: int
    title: str | None = Field(default=None, min_length=1, max_length=200)
    owner: str | None = Field(default=None, min_length=1, max_length=200)
    value: float | None = Field(default=None, ge=0)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    expected_close: date | None = None
    status: DealStatus | None = None
    loss_reason: str | None = None
    segment: str | None = None
    account_id: int | None = None


class DealPublic(Deal):
    """A deal as the API shows it."""


class DealsPublic(BaseModel):
    """A list of deals."""

    data: list[DealPublic]
    count: int


class PipelineRowPublic(PipelineRow):
    """One pipeline row: the deal, account, stage title, age, ETA and top signal."""


class PipelinePublic(BaseModel):
    """The pipeline rows visible to the caller."""

    data: list[PipelineRowPublic]
    count: int


# --- buying team, decisions ---------------------------------------------------------------


class StakeholderCreate(Body):
    """Add a person to the buying team."""

    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    role: Role = Role.OTHER
    level: int = Field(default=2, ge=MIN_LEVEL, le=MAX_LEVEL)
    stance: int = Field(default=0, ge=-2, le=2)
    influence: Influence = Influence.MEDIUM
    response_mode: ResponseMode | None = None
    reports_to: int | None = None
    notes: str = ""


class StakeholderUpdate(Body):
    """Change a person; fields left out keep their value (send ``reports_to: null`` to clear)."""

    version: int
    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = None
    role: Role | None = None
    level: int | None = Field(default=None, ge=MIN_LEVEL, le=MAX_LEVEL)
    stance: int | None = Field(default=None, ge=-2, le=2)
    influence: Influence | None = None
    response_mode: ResponseMode | None = None
    reports_to: int | None = None
    notes: str | None = None


class StakeholderPublic(Stakeholder):
    """A person of the buying team."""


class DecisionCreate(Body):
    """Add a decision to the buyer's decision graph."""

    title: str = Field(min_length=1, max_length=200)
    stage: str | None = None
    requires: list[int] = Field(default_factory=list)
    owners: list[int] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    level: int = Field(default=3, ge=MIN_LEVEL, le=MAX_LEVEL)
    status: DecisionStatus = DecisionStatus.OPEN
    expected_days: int = Field(default=14, ge=0)
    due: date | None = None


class DecisionUpdate(Body):
    """Change a decision; a new requirement that closes a cycle gets 409 naming the cycle."""

    version: int
    title: str | None = Field(default=None, min_length=1, max_length=200)
    stage: str | None = None
    requires: list[int] | None = None
    owners: list[int] | None = None
    roles: list[Role] | None = None
    level: int | None = Field(default=None, ge=MIN_LEVEL, le=MAX_LEVEL)
    status: DecisionStatus | None = None
    expected_days: int | None = Field(default=None, ge=0)
    due: date | None = None


class RequirementCreate(Body):
    """Make this decision require another one of the same deal."""

    required_id: int


class DecisionPublic(Decision):
    """A decision of the buyer's decision graph."""


# --- interactions and evidence ------------------------------------------------------------


class InteractionCreate(Body):
    """Log a touch with the buyer; ``evidence`` lists criteria keys it met."""

    occurred_at: datetime
    channel: Channel
    direction: Direction = Direction.TWO_WAY
    play: str | None = None
    participants: list[int] = Field(default_factory=list)
    summary: str = ""
    outcome: Outcome = Outcome.NEUTRAL
    evidence: list[str] = Field(default_factory=list)
    seller: str | None = Field(default=None, description="default: the caller's name")


class InteractionPublic(Interaction):
    """An interaction of the timeline."""


class EvidencePublic(Evidence):
    """An exit criterion met on a deal."""


class InteractionLogged(BaseModel):
    """What logging did: the interaction, new evidence, the stage move and the deal after."""

    interaction: InteractionPublic
    evidence: list[EvidencePublic]
    stage_change: StageChange | None
    deal: DealPublic


class EvidenceCreate(Body):
    """Record a criterion as met without an interaction."""

    criterion: str = Field(min_length=1)
    recorded_at: datetime | None = None
    note: str = ""


class EvidenceRecorded(BaseModel):
    """The evidence (new or already there), whether it was new, and the stage move."""

    evidence: EvidencePublic
    created: bool
    stage_change: StageChange | None
    deal: DealPublic


# --- mutual plan and problem map ----------------------------------------------------------


class PlanItemCreate(Body):
    """Add an item to the mutual plan."""

    title: str = Field(min_length=1, max_length=300)
    side: PlanSide = PlanSide.JOINT
    owner: str = ""
    due: date | None = None
    done: bool = False
    depends_on: list[int] = Field(default_factory=list)
    decision_id: int | None = None


class PlanItemUpdate(Body):
    """Change a plan item; fields left out keep their value."""

    title: str | None = Field(default=None, min_length=1, max_length=300)
    side: PlanSide | None = None
    owner: str | None = None
    due: date | None = None
    done: bool | None = None
    depends_on: list[int] | None = None
    decision_id: int | None = None


class PlanItemPublic(PlanItem):
    """An item of the mutual plan."""


class ProblemCreate(Body):
    """Add a goal, pressure, obstacle or initiative in the buyer's words."""

    kind: ProblemKind
    statement: str = Field(min_length=1, max_length=500)
    confirmed_by: int | None = None
    decisions: list[int] = Field(default_factory=list)
    offerings: list[int] = Field(default_factory=list)


class ProblemUpdate(Body):
    """Change a problem-map item; fields left out keep their value."""

    kind: ProblemKind | None = None
    statement: str | None = Field(default=None, min_length=1, max_length=500)
    confirmed_by: int | None = None
    decisions: list[int] | None = None
    offerings: list[int] | None = None


class ProblemPublic(ProblemItem):
    """An item of the buyer's problem map."""


# --- GPS, signals, share links ------------------------------------------------------------


class GpsPublic(GpsReport):
    """The deal's GPS: position, route, ETA, next plays, gaps and signals."""


class SignalPublic(Signal):
    """A signal with its evidence and advice."""


class SignalsPublic(BaseModel):
    """The signals firing on a deal, most severe first."""

    data: list[SignalPublic]
    count: int


class ShareLinkCreate(Body):
    """Create a buyer link; ``days`` defaults to the workspace setting."""

    days: int | None = Field(default=None, ge=1, le=365)


class ShareLinkPublic(ShareLink):
    """A buyer share link (never its token)."""


class ShareLinkCreated(BaseModel):
    """A new share link; ``url`` (holding the token) is shown this once."""

    url: str
    token: str
    link: ShareLinkPublic


class ShareLinksPublic(BaseModel):
    """The share links of a deal."""

    data: list[ShareLinkPublic]
    count: int


# --- playbooks and workspace --------------------------------------------------------------


class PlaybookValid(BaseModel):
    """A playbook file that loaded without problems."""

    valid: bool = True
    key: str
    title: str
    version: str


class ImportDone(BaseModel):
    """How many records of each section an import wrote."""

    counts: dict[str, int]
    total: int


class DealRecordPublic(DealRecord):
    """Everything about one deal: account, team, decisions, timeline, plan, problems."""


class BuyerViewPublic(BuyerView):
    """What a buyer sees through a share link: buyer-safe fields only."""
