"""Users, passwords and API tokens on both databases."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.errors import AuthFailed, Conflict, InvalidInput, NotFound
from dealgraph.services import users
from dealgraph.store import tables
from dealgraph.store.db import Database
from tests.factories import at

PASSWORD = "correct-Horse-42"


def _add(session: Session, **overrides: object) -> users.User:
    fields: dict[str, object] = {
        "email": "Sam.Seller@Example.com",
        "name": "sam.seller",
        "role": UserRole.SELLER,
        "password": PASSWORD,
        "team": "East",
        "as_of": at(0),
    } | overrides
    return users.create_user(session, **fields)  # type: ignore[arg-type]


def test_create_user_stores_lowercase_email_and_an_argon2_hash(session: Session) -> None:
    user = _add(session)
    assert user.id is not None and user.version == 1 and user.active
    assert (user.email, user.name, user.role, user.team) == (
        "sam.seller@example.com",
        "sam.seller",
        UserRole.SELLER,
        "East",
    )
    assert users.get_user(session, user_id=user.id) == user
    assert users.list_users(session) == [user]
    stored = session.execute(sa.select(tables.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert "password" not in user.model_dump()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-1", r"at least 12 characters \(got 7\)"),
        ("abcdefghijklmnop", "mix at least two kinds"),
        ("123456789012345", "mix at least two kinds"),
        ("!!!!!!!!!!!!!!!!", "mix at least two kinds"),
    ],
)
def test_weak_passwords_are_refused_and_nothing_is_written(
    session: Session, password: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        _add(session, password=password)
    assert caught.value.where == "password"
    assert users.list_users(session) == []


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"name": "  "}, "name"),
        ({"role": "boss"}, "role"),
    ],
)
def test_bad_fields_name_the_field(
    session: Session, overrides: dict[str, object], where: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _add(session, **overrides)
    assert caught.value.where == where
    assert users.list_users(session) == []


def test_duplicate_email_in_any_case_or_name_is_a_conflict(session: Session) -> None:
    first = _add(session)
    with pytest.raises(Conflict, match="email 'sam.seller@example.com' exists"):
        _add(session, email="SAM.SELLER@example.COM", name="other")
    with pytest.raises(Conflict, match="named 'sam.seller' exists"):
        _add(session, email="other@example.com")
    assert users.list_users(session) == [first]


def test_authenticate_accepts_the_right_password_only(session: Session) -> None:
    user = _add(session)
    assert users.authenticate(session, email=" SAM.seller@example.com", password=PASSWORD) == user
    messages = set()
    for email, password in [
        ("sam.seller@example.com", PASSWORD + "x"),
        ("nobody@example.com", PASSWORD),
        ("sam.seller@example.com", ""),
    ]:
        with pytest.raises(AuthFailed) as caught:
            users.authenticate(session, email=email, password=password)
        messages.add(str(caught.value))
    assert messages == {"wrong email or password"}


def test_inactive_user_cannot_sign_in(session: Session) -> None:
    user = _add(session)
    assert user.id is not None
    users.update_user(session, user=user.model_copy(update={"active": False}), expected_version=1)
    with pytest.raises(AuthFailed, match="wrong email or password"):
        users.authenticate(session, email=user.email, password=PASSWORD)


def test_update_user_checks_version_and_uniqueness(session: Session) -> None:
    user = _add(session)
    other = _add(session, email="kim@example.com", name="kim.seller")
    moved = users.update_user(
        session, user=user.model_copy(update={"team": "West"}), expected_version=1
    )
    assert moved.version == 2 and users.get_user(session, user_id=moved.id or 0).team == "West"
    with pytest.raises(Conflict) as stale:
        users.update_user(session, user=user.model_copy(update={"team": "X"}), expected_version=1)
    assert stale.value.current_version == 2
    with pytest.raises(Conflict, match="name 'kim.seller' exists"):
        users.update_user(
            session, user=moved.model_copy(update={"name": other.name}), expected_version=2
        )
    assert users.get_user(session, user_id=moved.id or 0) == moved


def test_set_password_replaces_the_old_one(session: Session) -> None:
    user = _add(session)
    assert user.id is not None
    with pytest.raises(InvalidInput):
        users.set_password(session, user_id=user.id, password="weak")
    users.set_password(session, user_id=user.id, password="Another-Long-one")
    with pytest.raises(AuthFailed):
        users.authenticate(session, email=user.email, password=PASSWORD)
    assert users.authenticate(session, email=user.email, password="Another-Long-one") == user


def test_generated_passwords_are_strong_and_different() -> None:
    made = {users.generate_password() for _ in range(20)}
    assert len(made) == 20
    for password in made:
        users.check_password(password)
        assert len(password) >= 24


def test_api_token_is_shown_once_and_stored_as_sha256(database: Database) -> None:
    with database.session() as session:
        user = _add(session)
        assert user.id is not None
        token, secret = users.issue_api_token(session, user_id=user.id, name="ci", as_of=at(1))
    assert secret.startswith("dg_") and len(secret) >= 3 + 43
    assert (token.user_id, token.name, token.created_at, token.last_used_at) == (
        user.id,
        "ci",
        at(1),
        None,
    )
    with database.session() as session:
        stored = session.execute(sa.select(tables.api_tokens.c.token_hash)).scalar_one()
        assert stored == hashlib.sha256(secret.encode()).hexdigest()
        assert users.user_for_token(session, token=secret, as_of=at(2)) == user
    with database.session() as session:
        assert users.list_api_tokens(session, user_id=user.id)[0].last_used_at == at(2)


def test_unknown_revoked_or_inactive_tokens_fail(session: Session) -> None:
    user = _add(session)
    assert user.id is not None
    token, secret = users.issue_api_token(session, user_id=user.id, name="script")
    with pytest.raises(AuthFailed, match="invalid or revoked API token"):
        users.user_for_token(session, token=secret + "x")
    assert token.id is not None
    users.revoke_api_token(session, token_id=token.id, as_of=at(5))
    with pytest.raises(AuthFailed, match="invalid or revoked API token"):
        users.user_for_token(session, token=secret)
    assert users.get_api_token(session, token_id=token.id).revoked_at == at(5)

    _, second = users.issue_api_token(session, user_id=user.id, name="other")
    current = users.get_user(session, user_id=user.id)
    users.update_user(session, user=current.model_copy(update={"active": False}),
                      expected_version=current.version)  # fmt: skip
    with pytest.raises(AuthFailed, match="invalid or revoked API token"):
        users.user_for_token(session, token=second)


def test_token_for_missing_user_or_without_name_is_refused(session: Session) -> None:
    with pytest.raises(NotFound):
        users.issue_api_token(session, user_id=999, name="x")
    user = _add(session)
    with pytest.raises(InvalidInput) as caught:
        users.issue_api_token(session, user_id=user.id or 0, name="  ")
    assert caught.value.where == "name"
    assert users.list_api_tokens(session, user_id=user.id or 0) == []
    with pytest.raises(NotFound):
        users.revoke_api_token(session, token_id=12345)


def test_get_user_by_email(session: Session) -> None:
    user = _add(session)
    assert users.get_user_by_email(session, email="SAM.SELLER@example.com") == user
    with pytest.raises(NotFound, match="nobody@example.com"):
        users.get_user_by_email(session, email="Nobody@example.com")


def test_credentials_are_never_in_the_workspace_export(session: Session) -> None:
    from dealgraph.services.workspace import export_workspace

    user = _add(session)
    _, secret = users.issue_api_token(session, user_id=user.id or 0, name="ci")
    text = str(export_workspace(session))
    assert "users" not in export_workspace(session)
    for value in (user.email, "argon2", secret, "api_tokens", "share_links"):
        assert value not in text
