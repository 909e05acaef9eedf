"""The demo's people: a user per seller, two teams with a manager each, and an admin.

Passwords are random on every build (``secrets``, never the demo's seed): they are real
credentials for a server that may be reachable, so they are printed once and stored hashed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dealgraph.core.enums import UserRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DEMO_DOMAIN = "demo.dealgraph.test"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
ADMIN_NAME = "Workspace Admin"
TEAMS = ("East", "West")
# Made-up managers, one per team; their names are not among the simulated sellers'.
MANAGERS = {"East": "Marisol Eastbrook", "West": "Thaddeus Westergaard"}


@dataclass(frozen=True)
class DemoUser:
    """A demo account and its password (only ever held in memory, to be printed once)."""

    email: str
    name: str
    role: UserRole
    team: str
    password: str


def email_for(name: str) -> str:
    """``firstname.lastname@demo.dealgraph.test``, accents dropped, lower case."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    parts = [re.sub(r"[^a-z0-9-]", "", part) for part in plain.lower().split()]
    local = ".".join(part for part in parts if part) or "user"
    return f"{local}@{DEMO_DOMAIN}"


def demo_users(document: dict[str, Any]) -> list[tuple[str, str, UserRole, str]]:
    """``(email, name, role, team)`` of every demo user for a demo document.

    One seller per distinct deal owner (sorted by name, dealt alternately into the two
    teams), one manager per team and one admin.
    """
    sellers = sorted({deal["owner"] for deal in document["deals"]})
    people: list[tuple[str, str, UserRole, str]] = [
        (email_for(name), name, UserRole.SELLER, TEAMS[index % len(TEAMS)])
        for index, name in enumerate(sellers)
    ]
    for team in TEAMS:
        manager = MANAGERS[team]
        people.append((email_for(manager), manager, UserRole.MANAGER, team))
    people.append((ADMIN_EMAIL, ADMIN_NAME, UserRole.ADMIN, ""))
    return people


def create_demo_users(session: Session, document: dict[str, Any]) -> list[DemoUser]:
    """Create the demo users with fresh random passwords, in the caller's transaction."""
    from dealgraph.services.users import create_user, generate_password

    made = []
    for email, name, role, team in demo_users(document):
        password = generate_password()
        create_user(session, email=email, name=name, role=role, team=team, password=password)
        made.append(DemoUser(email=email, name=name, role=role, team=team, password=password))
    return made


def sign_in_lines(users: list[DemoUser]) -> list[str]:
    """How the CLI shows the demo accounts: one line each, passwords in clear (shown once)."""
    width = max((len(u.email) for u in users), default=0)
    lines = []
    for user in users:
        team = f", {user.team}" if user.team else ""
        lines.append(f"  {user.email:<{width}}  {user.password}  ({user.role}{team})")
    return lines
