"""Closed vocabularies of the domain model."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A stakeholder's part in the buyer's decisions."""

    ECONOMIC_BUYER = "economic_buyer"
    DECISION_MAKER = "decision_maker"
    APPROVER = "approver"
    EVALUATOR = "evaluator"
    USER = "user"
    CHAMPION = "champion"
    INFLUENCER = "influencer"
    GATEKEEPER = "gatekeeper"
    OTHER = "other"


class Influence(StrEnum):
    """How much weight a stakeholder's view carries inside the buying organisation."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ResponseMode(StrEnum):
    """How a stakeholder reads their situation (and so how they hear a proposal)."""

    GROWTH = "growth"
    TROUBLE = "trouble"
    EVEN_KEEL = "even_keel"
    OVERCONFIDENT = "overconfident"


class DecisionStatus(StrEnum):
    """Where one buyer decision stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DECIDED = "decided"
    BLOCKED = "blocked"
    DROPPED = "dropped"


OPEN_DECISION_STATUSES = frozenset(
    {DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS, DecisionStatus.BLOCKED}
)


class DealStatus(StrEnum):
    """Whether a deal is still being worked and, if not, how it ended."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"
    NO_DECISION = "no_decision"


class Channel(StrEnum):
    """How an interaction reached the buyer."""

    FIELD = "field"
    INSIDE = "inside"
    VIRTUAL = "virtual"
    SOCIAL = "social"
    EMAIL = "email"
    PHONE = "phone"
    EVENT = "event"


class Direction(StrEnum):
    """Who started an interaction."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"
    TWO_WAY = "two_way"


class Outcome(StrEnum):
    """What an interaction did to the deal."""

    ADVANCED = "advanced"
    NEUTRAL = "neutral"
    SETBACK = "setback"


class PlanSide(StrEnum):
    """Who owns a mutual plan item."""

    BUYER = "buyer"
    SELLER = "seller"
    JOINT = "joint"


class ProblemKind(StrEnum):
    """The four parts of the buyer's problem map."""

    GOAL = "goal"
    PRESSURE = "pressure"
    OBSTACLE = "obstacle"
    INITIATIVE = "initiative"


class UserRole(StrEnum):
    """What a user of the workspace may see and change."""

    ADMIN = "admin"
    MANAGER = "manager"
    SELLER = "seller"
