"""``dealgraph import --format ...``: CRM files through the CLI, exact output."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Run, as_json
from tests.io.crm_fixtures import SF_CONTACT_ROLES, SF_MAPPING, SF_OPPORTUNITY, write


def test_salesforce_import_prints_a_summary_then_is_idempotent(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    opp = write(tmp_path, "opp.csv", SF_OPPORTUNITY)
    mapping = write(tmp_path, "sf.yaml", SF_MAPPING)
    result = run(
        "import",
        str(opp),
        "--db",
        db,
        "--format",
        "salesforce-opportunity",
        "--mapping",
        str(mapping),
    )
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"imported {opp} (salesforce-opportunity, utf-8 (detected)) into {tmp_path / 'w.db'}: "
        "3 rows read, 6 created, 0 updated, 0 skipped"
    )
    assert "│ deals    │ 3       │ 0       │ 0         │" in lines
    again = as_json(
        run(
            "import",
            str(opp),
            "--db",
            db,
            "--format",
            "salesforce-opportunity",
            "--mapping",
            str(mapping),
            "--json",
        )
    )
    assert again["created_total"] == 0 and again["unchanged"] == {"accounts": 3, "deals": 3}


def test_encoding_option_and_detection(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    run(
        "import",
        str(write(tmp_path, "o.csv", SF_OPPORTUNITY)),
        "--db",
        db,
        "--format",
        "salesforce-opportunity",
    )
    roles = write(tmp_path, "roles.csv", SF_CONTACT_ROLES, encoding="cp1252")
    detected = as_json(
        run("import", str(roles), "--db", db, "--format", "salesforce-contact-role", "--json")
    )
    assert (detected["encoding"], detected["encoding_detected"]) == ("cp1252", True)
    forced = run(
        "import",
        str(roles),
        "--db",
        db,
        "--format",
        "salesforce-contact-role",
        "--encoding",
        "utf-8",
        code=2,
    )
    assert forced.stderr.startswith(f"error: {roles}: not utf-8 text after line 0")


def test_bad_row_stop_and_skip(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    opp = write(tmp_path, "opp.csv", SF_OPPORTUNITY.replace("48000", "-1"))
    stopped = run("import", str(opp), "--db", db, "--format", "salesforce-opportunity", code=2)
    assert stopped.stderr == (
        f"error: {opp}, line 3, column Amount: '-1' is not an amount of 0 or more\n"
    )
    skipped = run(
        "import", str(opp), "--db", db, "--format", "salesforce-opportunity", "--on-error", "skip"
    )
    assert "skipped line 3 column Amount: '-1' is not an amount of 0 or more" in skipped.stdout
    assert "2 created" not in skipped.stdout and "1 skipped" in skipped.stdout


def test_csv_without_format_and_bad_on_error_are_refused(run: Run, tmp_path: Path) -> None:
    opp = write(tmp_path, "opp.csv", SF_OPPORTUNITY)
    result = run("import", str(opp), "--db", str(tmp_path / "w.db"), code=2)
    assert result.stderr == (
        f"error: {opp}: pass --format for a file that is not a native .json export\n"
    )
    result = run(
        "import",
        str(opp),
        "--db",
        str(tmp_path / "w.db"),
        "--format",
        "hubspot-deals",
        "--on-error",
        "ignore",
        code=2,
    )
    assert result.stderr == "error: --on-error: 'ignore' is not stop or skip\n"
