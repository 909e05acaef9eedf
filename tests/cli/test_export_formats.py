"""``dealgraph export`` in every format, through Typer's runner on an app that registers it."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner, Result

from dealgraph.cli import _Group
from dealgraph.cli.export import export
from dealgraph.io.native_json import dump_document
from dealgraph.io.xes import read_xes
from dealgraph.services.workspace import export_workspace
from dealgraph.store.db import open_database, sqlite_url
from tests.factories import Workspace, make_workspace

app = typer.Typer(cls=_Group, add_completion=False, pretty_exceptions_enable=False)
app.command("export")(export)
# A second command keeps Typer from collapsing the app into its single command.
app.command("noop")(lambda: None)


def run(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(app, ["export", *args], catch_exceptions=False)
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[str, Workspace]:
    """A SQLite workspace file holding the factory workspace."""
    path = tmp_path / "ws.db"
    database = open_database(sqlite_url(path))
    try:
        with database.session() as session:
            built = make_workspace(session)
    finally:
        database.dispose()
    return str(path), built


def test_native_json_is_unchanged(workspace: tuple[str, Workspace], tmp_path: Path) -> None:
    db, _ = workspace
    out = tmp_path / "all.json"
    result = run("--out", str(out), "--db", db)
    assert result.stdout.startswith(f"exported to {out}: 2 accounts, ")
    database = open_database(sqlite_url(db))
    try:
        with database.session() as session:
            expected = dump_document(export_workspace(session))
    finally:
        database.dispose()
    assert out.read_text(encoding="utf-8") == expected
    assert run("--out", "-", "--db", db).stdout == expected


@pytest.mark.parametrize(
    ("name", "extra", "line"),
    [
        ("log.csv", (), "events"),
        ("cases.csv", ("--table", "cases"), "3 cases"),
        ("log.xes", (), "3 traces"),
        ("log.parquet", (), "events"),
        ("log.ocel.json", (), "objects"),
        ("log.out", ("--format", "csv"), "events"),
    ],
)
def test_each_format_by_extension_or_flag(
    workspace: tuple[str, Workspace], tmp_path: Path, name: str, extra: tuple[str, ...], line: str
) -> None:
    db, _ = workspace
    out = tmp_path / name
    result = run("--out", str(out), "--db", db, *extra)
    assert result.stdout.startswith(f"exported to {out}: ")
    assert line in result.stdout
    assert out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_json_summary_and_round_trips(workspace: tuple[str, Workspace], tmp_path: Path) -> None:
    db, built = workspace
    xes, parquet = tmp_path / "log.xes", tmp_path / "log.parquet"
    summary = json.loads(run("--out", str(xes), "--db", db, "--json").stdout)
    assert summary == {"path": str(xes), "format": "xes", "counts": summary["counts"]}
    assert summary["counts"]["events"] == read_xes(xes).num_rows
    run("--out", str(parquet), "--db", db, "--deal", str(built.deals[1]))
    assert set(pq.read_table(parquet)["case"].to_pylist()) == {str(built.deals[1])}


def test_dmn_of_one_deal(workspace: tuple[str, Workspace], tmp_path: Path) -> None:
    db, built = workspace
    out = tmp_path / "deal.dmn"
    result = run("--out", str(out), "--db", db, "--deal", str(built.deals[0]))
    assert result.stdout.startswith(f"exported to {out}: ")
    assert "decisions" in result.stdout
    assert out.read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "error: --format: 'pdf' is not one of native, csv, xes, ocel, "),
        (("--table", "rows"), "error: --table: 'rows' is not events or cases"),
        (("--table", "cases", "--format", "xes"), "only csv and parquet export the case table"),
        (("--format", "dmn"), "a DMN export is one deal's decision graph: pass --deal"),
        (("--format", "dmn", "--deal", "999"), "error: deal 999 not found"),
        (("--format", "native", "--deal", "1"), "native JSON always exports the whole workspace"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_write_nothing(
    workspace: tuple[str, Workspace], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    db, _ = workspace
    folder = tmp_path / "out"
    folder.mkdir()
    result = run("--out", str(folder / "x.csv"), "--db", db, *args, code=2)
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert list(folder.iterdir()) == []


def test_unknown_extension_and_unwritable_paths(
    workspace: tuple[str, Workspace], tmp_path: Path
) -> None:
    db, _ = workspace
    result = run("--out", str(tmp_path / "x.pdf"), "--db", db, code=2)
    assert result.stderr.startswith(f"error: {tmp_path / 'x.pdf'}: cannot tell the format")
    missing = tmp_path / "nowhere" / "x.csv"
    result = run("--out", str(missing), "--db", db, code=2)
    assert result.stderr == f"error: {missing}: {missing.parent} is not an existing directory\n"
    taken = tmp_path / "taken.csv"
    taken.mkdir()
    result = run("--out", str(taken), "--db", db, code=2)
    assert result.stderr.startswith(f"error: cannot write {taken}: ")
    assert len(result.stderr.splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_stdout_is_only_for_native(workspace: tuple[str, Workspace]) -> None:
    db, _ = workspace
    result = run("--out", "-", "--format", "csv", "--db", db, code=2)
    assert result.stderr == "error: --out -: only the native JSON export goes to stdout\n"
