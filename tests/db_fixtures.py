"""Database fixtures: every store and service test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``DEALGRAPH_TEST_POSTGRES_URL`` (then it is required: unreachable is a
failure) or from the local default (unreachable is a skip). Each test gets its own empty
schema, selected through ``search_path``, so parallel runs on one server never meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dealgraph.store.db import Database, open_database, sqlite_url

POSTGRES_ENV = "DEALGRAPH_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@cache
def _postgres_problem(url: str) -> str | None:
    """Why the server at ``url`` cannot be used, or None when it answers."""
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        return str(error.orig or error).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


def postgres_base_url() -> str:
    """The PostgreSQL server for tests; skips (or fails, when required) if it is unreachable."""
    required = bool(os.environ.get(POSTGRES_ENV))
    url = os.environ.get(POSTGRES_ENV) or POSTGRES_DEFAULT
    problem = _postgres_problem(url)
    if problem is not None:
        if required:
            pytest.fail(f"{POSTGRES_ENV} is set but PostgreSQL is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {url}: {problem}")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL onto a fresh, empty PostgreSQL schema, dropped after the test."""
    base = postgres_base_url()
    schema = f"test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty workspace database, once per backend (not yet migrated)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "workspace.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty workspace database on each backend."""
    db = open_database(database_url)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """One transaction on the ``database`` fixture, committed when the test ends well."""
    with database.session() as s:
        yield s
