"""Accounts: create users with checked passwords, sign in, API tokens for scripts.

Passwords are hashed with pwdlib's recommended hasher (argon2id). API token secrets are
random (256 bits), so a fast sha256 is enough to store them: nobody can guess one to test
against the hash, and a lookup by hash needs no per-row work.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from datetime import datetime
from functools import cache

from pwdlib import PasswordHash
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.core.users import ApiToken, User
from dealgraph.errors import AuthFailed, Conflict, InvalidInput, NotFound
from dealgraph.services.common import now
from dealgraph.store import users as user_store

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
TOKEN_PREFIX = "dg_"
TOKEN_FAILED = "invalid or revoked API token"
CHARACTER_CLASSES = (
    frozenset(string.ascii_lowercase),
    frozenset(string.ascii_uppercase),
    frozenset(string.digits),
)


@cache
def password_hasher() -> PasswordHash:
    """The password hasher (argon2id with pwdlib's recommended parameters)."""
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    # Verifying against this when the email is unknown makes both failures cost the same.
    return password_hasher().hash(secrets.token_urlsafe(16))


def check_password(password: str) -> None:
    """Refuse a weak password: under 12 characters, or all of one character class."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(
            f"must be at least {PASSWORD_MIN_LENGTH} characters (got {len(password)})",
            where="password",
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(f"must be at most {PASSWORD_MAX_LENGTH} characters", where="password")
    classes = {_character_class(c) for c in password}
    if len(classes) < 2:
        raise InvalidInput(
            "mix at least two kinds of characters (lower case, upper case, digits, others)",
            where="password",
        )


def _character_class(character: str) -> int:
    for index, members in enumerate(CHARACTER_CLASSES):
        if character in members:
            return index
    return len(CHARACTER_CLASSES)


def generate_password() -> str:
    """A strong random password (about 144 bits) that passes ``check_password``."""
    while True:
        candidate = secrets.token_urlsafe(18)
        try:
            check_password(candidate)
        except InvalidInput:
            continue
        return candidate


def hash_secret(secret: str) -> str:
    """The sha256 hex digest a token or share link is stored under."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: UserRole | str,
    password: str,
    team: str = "",
    as_of: datetime | None = None,
) -> User:
    """Add a user with a hashed password; a taken email or name is a Conflict."""
    user = _valid_user(email=email, name=name, role=role, team=team, created_at=as_of or now())
    check_password(password)
    if user_store.find_user_by_email(session, email=user.email) is not None:
        raise Conflict(f"a user with email {user.email!r} exists already")
    if user_store.find_user_by_name(session, name=user.name) is not None:
        raise Conflict(f"a user named {user.name!r} exists already")
    return user_store.create_user(
        session, user=user, password_hash=password_hasher().hash(password)
    )


def _valid_user(**fields: object) -> User:
    role = fields.get("role")
    if isinstance(role, str) and role not in {r.value for r in UserRole}:
        valid = ", ".join(r.value for r in UserRole)
        raise InvalidInput(f"unknown role {role!r}; valid: {valid}", where="role")
    try:
        return User.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "user"
        raise InvalidInput(first["msg"], where=where) from None


def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active user with this email and password; AuthFailed otherwise (one message)."""
    user = user_store.find_user_by_email(session, email=email)
    hasher = password_hasher()
    if user is None or user.id is None:
        hasher.verify(password, _dummy_hash())
        raise AuthFailed()
    valid, new_hash = hasher.verify_and_update(
        password, user_store.password_hash_of(session, user_id=user.id)
    )
    if not valid or not user.active:
        raise AuthFailed()
    if new_hash is not None:
        # pwdlib's parameters moved on since this hash was made: keep the stronger one.
        user_store.set_password_hash(session, user_id=user.id, password_hash=new_hash)
    return user


def get_user(session: Session, *, user_id: int) -> User:
    """One user; NotFound when absent."""
    return user_store.get_user(session, user_id=user_id)


def get_user_by_email(session: Session, *, email: str) -> User:
    """The user with this email; NotFound when absent."""
    user = user_store.find_user_by_email(session, email=email)
    if user is None:
        raise NotFound("user", email.strip().lower())
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by id."""
    return user_store.list_users(session)


def update_user(session: Session, *, user: User, expected_version: int) -> User:
    """Save a changed user (name, role, team, active, email) under optimistic locking."""
    if user.id is None:
        raise InvalidInput("the user has no id", where="id")
    current = user_store.get_user(session, user_id=user.id)
    checked = _valid_user(**user.model_dump(exclude={"id", "version"}))
    for field, finder in (
        ("email", user_store.find_user_by_email),
        ("name", user_store.find_user_by_name),
    ):
        value = getattr(checked, field)
        if value != getattr(current, field):
            other = finder(session, **{field: value})
            if other is not None and other.id != user.id:
                raise Conflict(f"a user with {field} {value!r} exists already")
    return user_store.update_user(
        session,
        user=checked.model_copy(update={"id": user.id, "created_at": current.created_at}),
        expected_version=expected_version,
    )


def set_password(session: Session, *, user_id: int, password: str) -> None:
    """Replace a user's password after checking it."""
    check_password(password)
    user_store.get_user(session, user_id=user_id)
    user_store.set_password_hash(
        session, user_id=user_id, password_hash=password_hasher().hash(password)
    )


def issue_api_token(
    session: Session, *, user_id: int, name: str, as_of: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new API token for a user and its secret; the secret is shown once, stored hashed."""
    user = user_store.get_user(session, user_id=user_id)
    if not user.active:
        raise InvalidInput(f"user {user.email!r} is not active", where="user")
    if not name.strip():
        raise InvalidInput("a token needs a name", where="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = user_store.create_api_token(
        session,
        token=ApiToken(user_id=user_id, name=name.strip(), created_at=as_of or now()),
        token_hash=hash_secret(secret),
    )
    return token, secret


def user_for_token(session: Session, *, token: str, as_of: datetime | None = None) -> User:
    """The active user an API token belongs to (marking it used); AuthFailed otherwise."""
    digest = hash_secret(token)
    found = user_store.find_api_token(session, token_hash=digest)
    if found is None or not hmac.compare_digest(found[1], digest):
        raise AuthFailed(TOKEN_FAILED)
    stored, _ = found
    if stored.revoked_at is not None or stored.id is None:
        raise AuthFailed(TOKEN_FAILED)
    user = user_store.get_user(session, user_id=stored.user_id)
    if not user.active:
        raise AuthFailed(TOKEN_FAILED)
    user_store.touch_api_token(session, token_id=stored.id, at=as_of or now())
    return user


def list_api_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    """A user's API tokens, revoked ones included (never their secrets)."""
    return user_store.list_api_tokens(session, user_id=user_id)


def get_api_token(session: Session, *, token_id: int) -> ApiToken:
    """One API token; NotFound when absent."""
    return user_store.get_api_token(session, token_id=token_id)


def revoke_api_token(session: Session, *, token_id: int, as_of: datetime | None = None) -> None:
    """Revoke a token: it stops working at once; NotFound when absent."""
    user_store.revoke_api_token(session, token_id=token_id, at=as_of or now())
