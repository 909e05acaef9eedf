"""Web fixtures: the app on each database backend, four users, and a small workspace.

Users: two sellers in different teams, the manager of the first seller's team, and an admin.
``make_workspace`` deals belong to the first seller; the second seller owns one deal.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI

from dealgraph.core.enums import UserRole
from dealgraph.core.users import User
from dealgraph.demo.users import DemoUser
from dealgraph.settings import Settings
from dealgraph.store.db import Database
from dealgraph.web import create_app
from tests.factories import Workspace, make_deal, make_workspace

with warnings.catch_warnings():
    # starlette asks for httpx2; httpx is what the project pins, and it works.
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

PASSWORD = "Correct-Horse-42-battery"
PEOPLE: dict[str, tuple[str, UserRole, str]] = {
    # key: (name, role, team); sam.seller owns make_workspace's deals.
    "seller": ("sam.seller", UserRole.SELLER, "north"),
    "other_seller": ("bo.seller", UserRole.SELLER, "south"),
    "manager": ("mia.manager", UserRole.MANAGER, "north"),
    "admin": ("ada.admin", UserRole.ADMIN, ""),
}


@dataclass
class Site:
    """The app under test and what was built in it."""

    app: FastAPI
    database: Database
    workspace: Workspace
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    other_deal: int = 0

    @property
    def deal(self) -> int:
        """The first seller's open deal."""
        return self.workspace.deals[0]

    def client(self, who: str | None = None) -> TestClient:
        """A client authenticated by ``who``'s API token (anonymous when None)."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return TestClient(self.app, headers=headers)

    def browser(self, who: str) -> tuple[TestClient, str]:
        """A client signed in by cookie as ``who``, and its CSRF token."""
        client = TestClient(self.app)
        answer = client.post(
            "/api/v1/session", json={"email": self.users[who].email, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        return client, answer.json()["csrf_token"]


def email_of(key: str) -> str:
    """The email of a test user."""
    return f"{PEOPLE[key][0]}@example.com"


@pytest.fixture
def settings() -> Settings:
    """Settings with a random signing key (as a real deployment must have)."""
    return Settings(secret_key=secrets.token_urlsafe(32))


@pytest.fixture
def site(database: Database, settings: Settings) -> Iterator[Site]:
    """The app on the ``database`` fixture (SQLite and PostgreSQL), users and deals in it."""
    from dealgraph.services import deals, users

    with database.session() as session:
        workspace = make_workspace(session)
        other = deals.create_deal(
            session,
            deal=make_deal(title="Cold chain sensors", owner=PEOPLE["other_seller"][0]),
            account_name="Southwind Foods",
        )
        assert other.id is not None
        built = Site(
            app=create_app(settings, database=database),
            database=database,
            workspace=workspace,
            other_deal=other.id,
        )
        for key, (name, role, team) in PEOPLE.items():
            user = users.create_user(
                session, email=email_of(key), name=name, role=role, password=PASSWORD, team=team
            )
            assert user.id is not None
            built.users[key] = user
            _, secret = users.issue_api_token(session, user_id=user.id, name="tests")
            built.tokens[key] = secret
    yield built


def ids(answer: Any) -> list[int]:
    """The ids of a list answer ({data: [...]} or a bare list)."""
    body = answer.json()
    rows = body["data"] if isinstance(body, dict) else body
    return [row["id"] for row in rows]


DEMO_AS_OF = datetime(2026, 11, 23, 12, 0)


@dataclass
class DemoSite:
    """The demo workspace (SQLite, as of ``DEMO_AS_OF``) served by the app, with its people."""

    app: FastAPI
    database: Database
    people: dict[str, DemoUser]
    tokens: dict[str, str]

    def client(self, who: str) -> TestClient:
        """A client authenticated by ``who``'s API token (``seller``, ``manager``, ``admin``)."""
        return TestClient(self.app, headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def browser(self, who: str) -> TestClient:
        """A client signed in by cookie as ``who``."""
        client = TestClient(self.app)
        person = self.people[who]
        answer = client.post(
            "/api/v1/session", json={"email": person.email, "password": person.password}
        )
        assert answer.status_code == 200, answer.text
        return client

    def user(self, who: str) -> User:
        """The stored user behind ``who``."""
        from dealgraph.services.users import get_user_by_email

        with self.database.session() as session:
            return get_user_by_email(session, email=self.people[who].email)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The demo workspace built once per test session (realistic numbers for the plan pages).

    The first seller, the manager of that seller's team, and the admin get API tokens.
    """
    from dealgraph.demo import build_demo
    from dealgraph.services import users
    from dealgraph.store.db import open_database, sqlite_url

    database = open_database(sqlite_url(tmp_path_factory.mktemp("demo-site") / "demo.db"))
    summary = build_demo(database, seed=7, as_of=DEMO_AS_OF)
    seller = next(u for u in summary.users if u.role == UserRole.SELLER)
    people = {
        "seller": seller,
        "manager": next(
            u for u in summary.users if u.role == UserRole.MANAGER and u.team == seller.team
        ),
        "admin": next(u for u in summary.users if u.role == UserRole.ADMIN),
    }
    tokens = {}
    with database.session() as session:
        for key, person in people.items():
            stored = users.get_user_by_email(session, email=person.email)
            assert stored.id is not None
            _, tokens[key] = users.issue_api_token(session, user_id=stored.id, name="tests")
    settings = Settings(secret_key=secrets.token_urlsafe(32))
    yield DemoSite(
        app=create_app(settings, database=database),
        database=database,
        people=people,
        tokens=tokens,
    )
    database.dispose()
