"""``dealgraph user add|list|token`` on SQLite and PostgreSQL, with exact output."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from dealgraph.cli import app
from dealgraph.services import users
from dealgraph.store.db import open_database
from tests.cli.conftest import Run, as_json

PASSWORD = "Sturdy-Password-2026"


def _add_with_stdin(db: str, *args: str, password: str = PASSWORD) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["user", "add", *args, "--password-stdin", "--db", db],
        input=password + "\n",
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def test_add_with_a_generated_password_prints_it_once(run: Run, database_url: str) -> None:
    db = database_url
    run("init", "--db", db)
    result = run(
        "user", "add", "Sam.Ortiz@Example.com", "Sam Ortiz", "--role", "seller",
        "--team", "East", "--db", db,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[0] == "user 1 added: sam.ortiz@example.com (Sam Ortiz, seller, team East)"
    match = re.fullmatch(r"password \(shown once\): (\S{24,})", lines[1])
    assert match is not None and len(lines) == 2
    database = open_database(db)
    try:
        with database.session() as session:
            user = users.authenticate(
                session, email="sam.ortiz@example.com", password=match.group(1)
            )
    finally:
        database.dispose()
    assert user.name == "Sam Ortiz"
    listed = run("user", "list", "--db", db)
    assert match.group(1) not in listed.stdout


def test_add_with_password_on_stdin_then_list(run: Run, database_url: str) -> None:
    db = database_url
    run("init", "--db", db)
    code, out, err = _add_with_stdin(db, "ada@example.com", "Ada Admin", "--role", "admin")
    assert (code, out, err) == (0, "user 1 added: ada@example.com (Ada Admin, admin)\n", "")
    code, out, _ = _add_with_stdin(
        db, "mo@example.com", "Mo Manager", "--role", "manager", "--team", "East"
    )
    assert out == "user 2 added: mo@example.com (Mo Manager, manager, team East)\n"
    listed = as_json(run("user", "list", "--db", db, "--json"))
    assert [
        (u["id"], u["email"], u["name"], u["role"], u["team"], u["active"]) for u in listed
    ] == [
        (1, "ada@example.com", "Ada Admin", "admin", "", True),
        (2, "mo@example.com", "Mo Manager", "manager", "East", True),
    ]
    assert all("password" not in key for u in listed for key in u)
    table = run("user", "list", "--db", db).stdout
    assert "Ada Admin" in table and "Mo Manager" in table and "East" in table


def test_weak_password_and_duplicates_fail_with_one_line(run: Run, database_url: str) -> None:
    db = database_url
    run("init", "--db", db)
    code, out, err = _add_with_stdin(
        db, "kim@example.com", "Kim", "--role", "seller", password="short"
    )
    assert (code, out) == (2, "")
    assert err == "error: password: must be at least 12 characters (got 5)\n"
    assert _add_with_stdin(db, "kim@example.com", "Kim", "--role", "seller")[0] == 0
    code, _, err = _add_with_stdin(db, "KIM@example.com", "Kim Two", "--role", "seller")
    assert (code, err) == (2, "error: a user with email 'kim@example.com' exists already\n")
    code, _, err = _add_with_stdin(db, "kim@example.com", "Kim", "--role", "seller", password="")
    assert (code, err) == (2, "error: --password-stdin: no password on stdin\n")
    result = run("user", "add", "x@example.com", "X", "--role", "boss", "--db", db, code=2)
    assert "'boss' is not one of 'admin', 'manager', 'seller'" in result.stderr
    assert len(as_json(run("user", "list", "--db", db, "--json"))) == 1


def test_token_is_printed_once_and_works(run: Run, database_url: str) -> None:
    db = database_url
    run("init", "--db", db)
    _add_with_stdin(db, "sam@example.com", "Sam", "--role", "seller")
    result = run("user", "token", "SAM@example.com", "--name", "ci", "--db", db)
    first, secret = result.stdout.splitlines()
    assert first == (
        "API token 1 (ci) for sam@example.com; shown once, "
        "send it as 'Authorization: Bearer <token>':"
    )
    assert secret.startswith("dg_") and len(secret) >= 46
    database = open_database(db)
    try:
        with database.session() as session:
            assert users.user_for_token(session, token=secret).email == "sam@example.com"
    finally:
        database.dispose()
    missing = run("user", "token", "nobody@example.com", "--name", "ci", "--db", db, code=2)
    assert missing.stderr == "error: user 'nobody@example.com' not found\n"
