"""The loader's public API: text and files, shipped playbooks, caching, unreadable input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dealgraph.core.playbook import (
    get_playbook,
    load_playbook,
    load_playbook_text,
    shipped_playbooks,
    validate_playbook_file,
)
from dealgraph.core.playbook.checks import check_playbook_data
from dealgraph.core.playbook.loader import PROBLEM_CODES
from dealgraph.errors import NotFound, PlaybookError

HERE = Path(__file__).parent
BASE = (HERE / "base.yaml").read_text(encoding="utf-8")


def test_text_loads_into_the_model() -> None:
    playbook = load_playbook_text(BASE)
    assert playbook.key == "tiny"
    assert playbook.journey_order == ["meet", "buy"]
    assert playbook.won_stages == ["buy"]
    assert playbook.stage("meet").contingencies[0].play == "intro"


def test_problems_in_text_name_the_given_file() -> None:
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(BASE.replace("level: 2", "level: 9"), file="draft.yaml")
    assert [(p.file, p.code) for p in caught.value.problems] == [("draft.yaml", "level-range")]
    with pytest.raises(PlaybookError) as default:
        load_playbook_text("[]")
    assert default.value.problems[0].file == "<string>"


def test_schema_and_semantic_problems_are_reported_together_sorted_by_line() -> None:
    text = (
        BASE.replace("title: Buy", "titel: Buy")
        .replace("next: [buy]", "next: [buy, nowhere]")
        .replace("days_since_last_interaction", "days_since_last_chat")
        .replace("level: 5, requires: [budget]", "level: 5, requires: [approval]")
    )
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(text)
    codes = [p.code for p in caught.value.problems]
    assert sorted(codes) == sorted(
        ["unknown-reference", "unknown-field", "missing-field", "decision-cycle"]
        + ["rule-unknown-field"]
    )
    lines = [p.location.line for p in caught.value.problems]
    assert lines == sorted(lines)
    assert "5 problem(s)" in str(caught.value)


def test_empty_file_and_several_documents() -> None:
    with pytest.raises(PlaybookError) as empty:
        load_playbook_text("")
    assert [p.code for p in empty.value.problems] == ["not-a-mapping"]
    assert "empty" in empty.value.problems[0].message
    with pytest.raises(PlaybookError) as two:
        load_playbook_text(BASE + "\n---\nkey: other\n")
    assert [p.code for p in two.value.problems] == ["yaml-syntax"]


def test_p90_below_p50_is_refused() -> None:
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text(BASE.replace("{p50: 5, p90: 10}", "{p50: 12, p90: 10}", 1))
    problem = caught.value.problems[0]
    assert (problem.code, problem.location.path_text()) == (
        "duration-order",
        "stages -> 0 -> duration -> p90",
    )


def test_unreadable_files_give_one_problem(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert [p.code for p in validate_playbook_file(missing)] == ["unreadable-file"]
    assert [p.code for p in validate_playbook_file(tmp_path)] == ["unreadable-file"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: caf\xe9".encode("latin-1"))
    problems = validate_playbook_file(latin)
    assert [(p.code, p.file) for p in problems] == [("unreadable-file", str(latin))]
    with pytest.raises(PlaybookError):
        load_playbook(missing)


def test_validating_a_good_file_gives_no_problems(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert validate_playbook_file(path) == []
    assert validate_playbook_file(str(path)) == []


def test_shipped_playbooks_are_listed_by_key() -> None:
    shipped = shipped_playbooks()
    assert set(shipped) == {"buyer-journey", "meddpicc"}
    assert all(path.is_file() and path.suffix == ".yaml" for path in shipped.values())


def test_get_playbook_by_key_is_cached() -> None:
    first = get_playbook("buyer-journey")
    assert first.key == "buyer-journey"
    assert get_playbook("buyer-journey") is first


def test_get_playbook_by_path_reloads_an_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(BASE, encoding="utf-8")
    first = get_playbook(str(path))
    assert first.title == "Tiny journey"
    assert get_playbook(str(path)) is first
    path.write_text(BASE.replace("title: Tiny journey", "title: Tiny journey, edited"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert get_playbook(str(path)).title == "Tiny journey, edited"


def test_get_playbook_of_an_unknown_name_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as caught:
        get_playbook("no-such-playbook")
    assert caught.value.kind == "playbook"
    assert caught.value.ident == "no-such-playbook"
    with pytest.raises(NotFound):
        get_playbook(str(tmp_path))  # a directory is not a playbook file


def test_get_playbook_of_a_broken_file_raises_its_problems() -> None:
    with pytest.raises(PlaybookError) as caught:
        get_playbook(str(HERE / "broken" / "level-range.yaml"))
    assert {p.code for p in caught.value.problems} == {"level-range"}


def test_checks_accept_the_dump_of_a_valid_playbook() -> None:
    playbook = get_playbook("buyer-journey")
    assert check_playbook_data(playbook.model_dump(mode="json")) == []


def test_every_problem_code_the_loader_reports_is_declared() -> None:
    reported = {
        p.code for path in (HERE / "broken").glob("*.yaml") for p in validate_playbook_file(path)
    }
    assert reported <= set(PROBLEM_CODES)
    assert len(reported) >= 15


def test_anchors_and_merge_keys_are_allowed() -> None:
    text = BASE.replace(
        "    duration: {p50: 5, p90: 10}\n    level: 2\n",
        "    duration: &usual {p50: 5, p90: 10}\n    level: 2\n",
    ).replace(
        "    duration: {p50: 5, p90: 10}\n    level: 3\n", "    duration: *usual\n    level: 3\n"
    )
    playbook = load_playbook_text(text)
    assert playbook.stage("buy").duration == playbook.stage("meet").duration


def test_nested_aliases_do_not_multiply_the_work() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefg", "bcdefgh", strict=False):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(PlaybookError) as caught:
        load_playbook_text("\n".join(rows))
    codes = {p.code for p in caught.value.problems}
    assert codes == {"missing-field", "unknown-field"}
