"""Bad arguments, unknown ids and unreadable files: one line on stderr, exit 2, no change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Run, as_json


@pytest.fixture
def db(run: Run, tmp_path: Path) -> str:
    path = str(tmp_path / "ws.db")
    run("init", "--db", path)
    run("deal", "add", "Acme renewal", "--owner", "Dana", "--db", path)
    return path


def test_unknown_deal_id(run: Run, db: str) -> None:
    result = run("deal", "gps", "999", "--db", db, code=2)
    assert result.stderr == "error: deal 999 not found\n"
    assert result.stdout == ""


def test_bad_argument_is_one_line(run: Run, db: str) -> None:
    result = run("deal", "show", "abc", "--db", db, code=2)
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_bad_choice_names_the_valid_values(run: Run, db: str) -> None:
    result = run("interaction", "log", "1", "--channel", "fax", "--db", db, code=2)
    assert result.stderr.startswith("error: ") and "fax" in result.stderr
    assert result.stderr.count("\n") == 1


def test_missing_workspace_is_not_created(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run("deal", "list", "--db", str(missing), code=2)
    assert result.stderr == (
        f"error: no workspace at {missing.resolve()}: run `dealgraph init` or "
        "`dealgraph demo` first\n"
    )
    assert not missing.exists()


def test_unknown_evidence_key_changes_nothing(run: Run, db: str) -> None:
    result = run("interaction", "log", "1", "--channel", "email", "--evidence", "telepathy",
                 "--db", db, code=2)  # fmt: skip
    assert result.stderr.startswith("error: ") and "telepathy" in result.stderr
    assert as_json(run("interaction", "list", "1", "--db", db, "--json")) == []


def test_participant_from_nowhere_is_refused(run: Run, db: str) -> None:
    result = run("interaction", "log", "1", "--channel", "email", "--with", "42",
                 "--db", db, code=2)  # fmt: skip
    assert "42" in result.stderr
    assert as_json(run("interaction", "list", "1", "--db", db, "--json")) == []


def test_unreadable_import_file(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    result = run("import", str(missing), "--db", str(tmp_path / "new.db"), code=2)
    assert result.stderr.startswith("error: ") and str(missing) in result.stderr
    assert result.stderr.count("\n") == 1


def test_json_syntax_error_is_located(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "dealgraph-workspace",\n  "deals": [1,]\n}\n', encoding="utf-8")
    result = run("import", str(broken), "--db", str(tmp_path / "new.db"), code=2)
    assert result.stderr == f"error: {broken}:2:15: not valid JSON: Expecting value\n"
    assert not (tmp_path / "new.db").exists()


def test_export_into_a_missing_directory(run: Run, db: str, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.json"
    result = run("export", "--out", str(target), "--db", db, code=2)
    assert result.stderr == f"error: {target}: {target.parent} is not an existing directory\n"


def test_no_arguments_prints_help(run: Run) -> None:
    result = run()
    assert "Usage: dealgraph" in result.stdout
    assert "playbook" in result.stdout
