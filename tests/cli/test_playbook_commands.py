"""``dealgraph playbook``: validate, show, render, list."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from dealgraph.core.playbook import shipped_playbooks
from tests.cli.conftest import Run, as_json
from tests.conftest import REPO_ROOT

BROKEN = REPO_ROOT / "tests" / "core" / "playbook" / "broken"


def test_validate_accepts_both_shipped_playbooks(run: Run) -> None:
    paths = [str(p) for _, p in sorted(shipped_playbooks().items())]
    result = run("playbook", "validate", *paths)
    assert result.stdout == "".join(f"{p}: valid\n" for p in paths)


def test_validate_rejects_a_broken_file_with_line_and_path(run: Run) -> None:
    path = BROKEN / "decision-cycle.yaml"
    result = run("playbook", "validate", str(path), code=1)
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: 2 problem(s)"
    assert lines[1] == (
        f"  {path}:29:16: decisions depend on each other in a cycle: budget -> approval -> "
        "budget (at decisions -> 0 -> requires -> 0) [decision-cycle]"
    )


def test_validate_json_lists_every_broken_case(run: Run) -> None:
    files = sorted(BROKEN.glob("*.yaml"))
    result = run("playbook", "validate", "--json", *map(str, files), code=1)
    report = as_json(result)
    assert report["valid"] is False
    assert len(report["files"]) == len(files)
    for entry in report["files"]:
        assert entry["valid"] is False, entry["file"]
        for problem in entry["problems"]:
            assert problem["line"] >= 1 and problem["column"] >= 1
            assert problem["code"]


def test_validate_mixed_files_exits_1_but_reports_the_good_one(run: Run) -> None:
    good = shipped_playbooks()["meddpicc"]
    bad = BROKEN / "unreachable-stage.yaml"
    result = run("playbook", "validate", str(good), str(bad), code=1)
    assert result.stdout.startswith(f"{good}: valid\n{bad}: 1 problem(s)\n")


def test_show_json_round_trips_the_model(run: Run) -> None:
    data = as_json(run("playbook", "show", "buyer-journey", "--json"))
    assert data["key"] == "buyer-journey"
    assert len(data["stages"]) == 9
    assert data["stages"][-1]["end"] == "won"


def test_show_for_people_names_every_stage(run: Run) -> None:
    from dealgraph.core.playbook import get_playbook

    text = run("playbook", "show", "meddpicc").stdout
    for stage in get_playbook("meddpicc").stages:
        assert stage.key in text


def test_render_mermaid_and_svg(run: Run, tmp_path: Path) -> None:
    mermaid = run("playbook", "render", "buyer-journey", "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart LR")
    out = tmp_path / "journey.svg"
    result = run("playbook", "render", "buyer-journey", "--format", "svg", "--out", str(out))
    assert result.stdout == f"wrote svg diagram of buyer-journey to {out}\n"
    assert ET.fromstring(out.read_text(encoding="utf-8")).tag.endswith("svg")


def test_render_unknown_playbook_is_one_line_exit_2(run: Run) -> None:
    result = run("playbook", "render", "no-such-playbook", code=2)
    assert result.stderr == "error: playbook 'no-such-playbook' not found\n"
    assert result.stdout == ""


def test_list_shows_both_playbooks(run: Run) -> None:
    rows = as_json(run("playbook", "list", "--json"))
    assert [r["key"] for r in rows] == ["buyer-journey", "meddpicc"]
    assert rows[0]["stages"] == 9
