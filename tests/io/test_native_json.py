"""Native JSON export/import on both databases: lossless, validated first, all or nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from dealgraph.errors import Conflict, ImportFailed
from dealgraph.io.native_json import SECTION_NAMES, dump_document, read_export, write_export
from dealgraph.services import deals
from dealgraph.services.workspace import export_workspace, import_workspace, workspace_summary
from dealgraph.store.db import Database, alembic_config
from tests.factories import make_deal, make_workspace


def _wipe(database: Database) -> None:
    """Back to an empty, migrated database (new tables, fresh id sequences)."""
    with database.engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
        command.upgrade(alembic_config(connection=connection), "head")


def _exported(database: Database) -> dict[str, Any]:
    with database.session() as session:
        make_workspace(session)
    with database.session() as session:
        return export_workspace(session)


def _empty(database: Database) -> bool:
    with database.session() as session:
        return not any(workspace_summary(session).values())


def test_export_import_export_is_byte_identical(database: Database, tmp_path: Path) -> None:
    first = _exported(database)
    assert first["format"] == "dealgraph-workspace" and first["format_version"] == 1
    for name in SECTION_NAMES:
        ids = [record["id"] for record in first[name]]
        assert ids == sorted(ids) and ids, name
    path = write_export(tmp_path / "out" / "workspace.json", first)
    _wipe(database)
    assert _empty(database)
    with database.session() as session:
        summary = import_workspace(session, read_export(path))
    assert summary.counts == {name: len(first[name]) for name in SECTION_NAMES}
    assert summary.total == sum(len(first[name]) for name in SECTION_NAMES)
    with database.session() as session:
        second = export_workspace(session)
    assert dump_document(second) == dump_document(first) == path.read_text(encoding="utf-8")


def test_ids_continue_after_import(database: Database) -> None:
    document = _exported(database)
    _wipe(database)
    with database.session() as session:
        import_workspace(session, document)
    with database.session() as session:
        created = deals.create_deal(session, deal=make_deal())
    assert created.id == max(d["id"] for d in document["deals"]) + 1


def test_bad_record_in_the_middle_changes_nothing(database: Database) -> None:
    document = _exported(database)
    _wipe(database)
    broken = copy.deepcopy(document)
    broken["deals"][1]["value"] = -5
    with pytest.raises(ImportFailed) as caught, database.session() as session:
        import_workspace(session, broken)
    assert str(caught.value) == (
        "deals[1] (id 2) -> value: Input should be greater than or equal to 0"
    )
    assert _empty(database)


@pytest.mark.parametrize(
    ("section", "index", "change", "where"),
    [
        ("stakeholders", 0, {"deal_id": 99}, "stakeholders[0] (id 1) -> deal_id"),
        ("decisions", 3, {"requires": [10_000]}, "decisions[3] (id 4) -> requires"),
        ("interactions", 0, {"participants": [4]}, "interactions[0] (id 1) -> participants"),
        ("problems", 0, {"offerings": [1, 1]}, "problems[0] (id 1) -> offerings"),
        ("deals", 2, {"account_id": 7}, "deals[2] (id 3) -> account_id"),
        ("plan_items", 0, {"depends_on": [3]}, "plan_items"),
        ("evidence", 1, {"id": 1}, "evidence[1] (id 1) -> id"),
        ("stakeholders", 1, {"role": "boss"}, "stakeholders[1] (id 2) -> role"),
    ],
)
def test_broken_references_are_named(
    database: Database, section: str, index: int, change: dict[str, Any], where: str
) -> None:
    document = _exported(database)
    _wipe(database)
    document[section][index].update(change)
    with pytest.raises(ImportFailed) as caught, database.session() as session:
        import_workspace(session, document)
    assert caught.value.where == where
    assert _empty(database)


def test_header_is_checked(session: Any) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_workspace(session, {"format": "something-else", "format_version": 1})
    assert caught.value.where == "format"
    with pytest.raises(ImportFailed) as caught:
        import_workspace(session, {"format": "dealgraph-workspace", "format_version": 2})
    assert caught.value.where == "format_version"
    with pytest.raises(ImportFailed) as caught:
        import_workspace(
            session, {"format": "dealgraph-workspace", "format_version": 1, "deels": []}
        )
    assert caught.value.where == "deels"
    with pytest.raises(ImportFailed) as caught:
        import_workspace(session, [1, 2])
    assert caught.value.where == "document"


def test_import_into_a_non_empty_workspace_is_refused(database: Database) -> None:
    document = _exported(database)
    before = dump_document(document)
    with pytest.raises(Conflict, match="workspace is not empty"), database.session() as session:
        import_workspace(session, document)
    with database.session() as session:
        assert dump_document(export_workspace(session)) == before


def test_read_export_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(ImportFailed) as caught:
        read_export(missing)
    assert caught.value.where == str(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "format": "dealgraph-workspace",\n  "deals": [,]\n}\n')
    with pytest.raises(ImportFailed) as caught:
        read_export(broken)
    assert caught.value.where == f"{broken}:3:13"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ImportFailed, match="UTF-8"):
        read_export(binary)
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([1]))
    with pytest.raises(ImportFailed, match="JSON object"):
        read_export(listing)


def test_deal_records_group_a_document_by_deal(database: Database) -> None:
    from dealgraph.io.native_json import deal_records

    document = _exported(database)
    records = deal_records(document)
    assert [r.deal.id for r in records] == [d["id"] for d in document["deals"]]
    for section, field in (("stakeholders", "stakeholders"), ("plan_items", "plan")):
        assert sum(len(getattr(r, field)) for r in records) == len(document[section])
    first = records[0]
    assert first.account is not None and first.account.id == first.deal.account_id
    assert all(s.deal_id == first.deal.id for s in first.stakeholders)
