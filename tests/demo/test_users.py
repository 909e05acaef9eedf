"""The demo accounts: a user per seller, two teams with a manager each, an admin."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from dealgraph.core.enums import UserRole
from dealgraph.demo import build_demo, demo_users
from dealgraph.demo.users import ADMIN_EMAIL, email_for, sign_in_lines
from dealgraph.services import access, users
from dealgraph.store.db import Database, open_database, sqlite_url
from tests.demo.conftest import AS_OF

EMAIL = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+@demo\.dealgraph\.test$")


def test_one_seller_per_deal_owner_two_teams_two_managers_one_admin(
    demo_document: dict[str, Any],
) -> None:
    people = demo_users(demo_document)
    owners = {d["owner"] for d in demo_document["deals"]}
    sellers = [p for p in people if p[2] == UserRole.SELLER]
    assert {name for _, name, _, _ in sellers} == owners
    assert Counter(team for *_, team in sellers) == {"East": 5, "West": 5}
    managers = [(name, team) for _, name, role, team in people if role == UserRole.MANAGER]
    assert sorted(team for _, team in managers) == ["East", "West"]
    assert not {name for name, _ in managers} & owners
    assert [p for p in people if p[2] == UserRole.ADMIN] == [
        (ADMIN_EMAIL, "Workspace Admin", UserRole.ADMIN, "")
    ]
    emails = [email for email, *_ in people]
    assert len(set(emails)) == len(emails) == len(owners) + 3
    assert all(EMAIL.match(e) for e in emails if e != ADMIN_EMAIL)
    assert len({name for _, name, _, _ in people}) == len(people)


def test_emails_are_first_dot_last_without_accents() -> None:
    assert email_for("Avery Lindqvist") == "avery.lindqvist@demo.dealgraph.test"
    assert email_for("Zoë  Ångström") == "zoe.angstrom@demo.dealgraph.test"
    assert email_for("Mary-Jo O'Neil") == "mary-jo.oneil@demo.dealgraph.test"


def test_build_demo_creates_the_users_with_working_random_passwords(database: Database) -> None:
    summary = build_demo(database, seed=7, as_of=AS_OF)
    assert len(summary.users) == summary.sellers + 3
    assert len({u.password for u in summary.users}) == len(summary.users)
    by_role = {u.role: u for u in summary.users}
    with database.session() as session:
        stored = users.list_users(session)
        assert [(u.email, u.name, u.role, u.team) for u in stored] == [
            (u.email, u.name, u.role, u.team) for u in summary.users
        ]
        seller = users.authenticate(
            session,
            email=by_role[UserRole.SELLER].email,
            password=by_role[UserRole.SELLER].password,
        )
        manager = users.authenticate(
            session,
            email=by_role[UserRole.MANAGER].email,
            password=by_role[UserRole.MANAGER].password,
        )
        admin = users.get_user_by_email(session, email=ADMIN_EMAIL)
        own = access.visible_deals(session, user=seller)
        team = access.visible_deals(session, user=manager)
        everything = access.visible_deals(session, user=admin)
    assert own and {d.owner for d in own} == {seller.name}
    team_sellers = {u.name for u in summary.users if u.team == manager.team}
    assert {d.owner for d in team} == team_sellers - {manager.name}
    assert len(everything) == summary.deals == 300
    assert 0 < len(own) < len(team) < len(everything)


def test_passwords_are_not_tied_to_the_seed(database: Database, tmp_path: Path) -> None:
    first = build_demo(database, seed=7, as_of=AS_OF)
    lines = sign_in_lines(first.users)
    assert len(lines) == len(first.users)
    assert all(
        u.password in line and u.email in line for u, line in zip(first.users, lines, strict=True)
    )
    other = open_database(sqlite_url(tmp_path / "again.db"))
    try:
        second = build_demo(other, seed=7, as_of=AS_OF)
    finally:
        other.dispose()
    assert [u.email for u in second.users] == [u.email for u in first.users]
    assert not {u.password for u in second.users} & {u.password for u in first.users}
