"""People who use the workspace, their API tokens, and buyer share links.

Secrets never live on these records: the store keeps password and token hashes in columns
the records do not carry, so a record can be returned by the API or printed as it is.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from dealgraph.core.enums import UserRole
from dealgraph.core.model import Record

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def normalize_email(email: str) -> str:
    """The form an email is stored and compared in: trimmed and lower case."""
    return email.strip().lower()


class User(Record):
    """Someone who signs in. Sellers own the deals whose ``Deal.owner`` equals their name."""

    id: int | None = None
    email: str = Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    name: str = Field(min_length=1, max_length=200, description="unique; matches Deal.owner")
    role: UserRole
    team: str = Field(default="", max_length=80, description="managers see their team's deals")
    active: bool = True
    created_at: datetime
    version: int = 1

    @field_validator("email", mode="before")
    @classmethod
    def _lower_email(cls, value: object) -> object:
        return normalize_email(value) if isinstance(value, str) else value

    @field_validator("name", "team", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class ApiToken(Record):
    """A named API token of one user; the secret itself is shown once and stored hashed."""

    id: int | None = None
    user_id: int
    name: str = Field(min_length=1, max_length=200)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        """True once the token was revoked."""
        return self.revoked_at is not None


class ShareLink(Record):
    """A read-only link for the buyer of one deal; the token is shown once and stored hashed."""

    id: int | None = None
    deal_id: int
    created_by: int = Field(description="id of the user who created it")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def usable_at(self, moment: datetime) -> bool:
        """True while the link is neither revoked nor expired at ``moment`` (naive UTC)."""
        return self.revoked_at is None and moment < self.expires_at


__all__ = ["EMAIL_PATTERN", "ApiToken", "ShareLink", "User", "UserRole", "normalize_email"]
