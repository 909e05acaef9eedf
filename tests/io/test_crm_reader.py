"""CRM CSV reading: encodings, CRLF, located errors; mapping files and presets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dealgraph.core.enums import DealStatus, Role
from dealgraph.errors import ImportFailed
from dealgraph.io.crm.generic import ContactRoleIn, OpportunityIn, RowParser
from dealgraph.io.crm.mapping import CrmMapping, load_mapping
from dealgraph.io.crm.presets import resolve
from dealgraph.io.crm.reader import RowError, detect_encoding, read_rows
from tests.io.crm_fixtures import (
    HUBSPOT_DEALS,
    MAVEN,
    SF_CONTACT_ROLES,
    SF_OPPORTUNITY,
    write,
)


def test_encoding_is_detected_utf8_bom_or_windows_1252(tmp_path: Path) -> None:
    assert detect_encoding(write(tmp_path, "a.csv", SF_CONTACT_ROLES)) == "utf-8"
    assert detect_encoding(write(tmp_path, "b.csv", SF_CONTACT_ROLES, encoding="cp1252")) == (
        "cp1252"
    )
    assert detect_encoding(write(tmp_path, "c.csv", SF_CONTACT_ROLES, encoding="utf-8-sig")) == (
        "utf-8-sig"
    )


def test_windows_1252_names_read_back_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, "roles.csv", SF_CONTACT_ROLES, encoding="cp1252")
    rows = list(read_rows(path, encoding=detect_encoding(path)))
    assert [r.line for r in rows] == [2, 3, 4]
    assert rows[0].get("Contact.Name") == "Gérard Müller"


def test_crlf_file_streams_every_row_with_its_line() -> None:
    rows = read_rows(MAVEN / "sales_pipeline.csv", encoding="utf-8")
    first = next(rows)
    assert first.line == 2 and first.get("close_value") == "1054"
    assert sum(1 for _ in rows) == 8799


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "roles.csv", SF_CONTACT_ROLES, encoding="cp1252")
    with pytest.raises(ImportFailed, match=r"roles\.csv: not utf-8 text after line \d+"):
        list(read_rows(path, encoding="utf-8"))


def test_missing_column_and_short_row_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "Id,Name\n1,a\n2\n")
    with pytest.raises(ImportFailed) as caught:
        list(read_rows(path, encoding="utf-8", required=("Id", "StageName")))
    assert str(caught.value) == f"{path}:1: missing column(s) StageName; the header has Id, Name"
    with pytest.raises(ImportFailed) as caught:
        list(read_rows(path, encoding="utf-8"))
    assert str(caught.value) == f"{path}:3: 1 values for 2 columns"


def test_mapping_errors_name_file_and_key(tmp_path: Path) -> None:
    bad_yaml = write(tmp_path, "a.yaml", "columns:\n  Id: [unclosed\n")
    with pytest.raises(ImportFailed, match=r"a\.yaml:3:1: not valid YAML"):
        load_mapping(bad_yaml)
    bad_role = write(tmp_path, "b.yaml", "roles:\n  Boss: king\n")
    with pytest.raises(ImportFailed, match=r"b\.yaml -> roles -> Boss: Input should be"):
        load_mapping(bad_role)
    unknown = CrmMapping(columns={"Id": "identifier"})
    with pytest.raises(ImportFailed, match=r"mapping -> columns -> Id: unknown field"):
        unknown.check_fields("opportunity", where="mapping")


def test_generic_format_needs_a_mapping() -> None:
    with pytest.raises(ImportFailed, match="--mapping: this format needs a mapping file"):
        resolve("opportunities-csv", None)
    with pytest.raises(ImportFailed, match="--format: unknown format 'sap'"):
        resolve("sap", None)


def test_salesforce_opportunity_rows(tmp_path: Path) -> None:
    preset, mapping = resolve("salesforce-opportunity", CrmMapping(stages={"Qualification": None}))
    parser = RowParser(mapping, preset.kind)
    rows = list(read_rows(write(tmp_path, "o.csv", SF_OPPORTUNITY), encoding="utf-8"))
    parsed = [parser.parse(row)[0] for row in rows]
    assert all(isinstance(p, OpportunityIn) for p in parsed)
    first, won, lost = parsed
    assert isinstance(first, OpportunityIn) and isinstance(won, OpportunityIn)
    assert isinstance(lost, OpportunityIn)
    assert (first.value, first.status, first.stage) == (12500.0, DealStatus.OPEN, None)
    assert first.created_at == datetime(2024, 1, 5, 9, 30)  # Z -> naive UTC
    assert (won.status, won.currency, lost.status) == (DealStatus.WON, "EUR", DealStatus.LOST)


def test_hubspot_deals_and_a_bad_value(tmp_path: Path) -> None:
    preset, mapping = resolve("hubspot-deals", None)
    parser = RowParser(mapping, preset.kind)
    rows = list(read_rows(write(tmp_path, "d.csv", HUBSPOT_DEALS), encoding="utf-8"))
    won, notes = parser.parse(rows[1])
    assert isinstance(won, OpportunityIn) and won.status == DealStatus.WON
    assert "stage 'Closed Won' is not in the mapping" in notes
    empty, notes = parser.parse(rows[2])
    assert isinstance(empty, OpportunityIn) and empty.account is None and empty.value == 0.0
    assert "Associated Company empty: the deal has no account" in notes
    bad = rows[0].__class__(5, {**rows[0].values, "Amount": "lots"})
    with pytest.raises(RowError) as caught:
        parser.parse(bad)
    assert (caught.value.column, caught.value.message) == ("Amount", "'lots' is not a number")


def test_contact_roles_map_to_dealgraph_roles(tmp_path: Path) -> None:
    preset, mapping = resolve("salesforce-contact-role", None)
    parser = RowParser(mapping, preset.kind)
    path = write(tmp_path, "r.csv", SF_CONTACT_ROLES, encoding="cp1252")
    parsed = [parser.parse(row) for row in read_rows(path, encoding="cp1252")]
    roles = [p.role for p, _ in parsed if isinstance(p, ContactRoleIn)]
    assert roles == [Role.ECONOMIC_BUYER, Role.EVALUATOR, Role.OTHER]
    assert parsed[2][1] == ["role 'Steering Committee' is not in the mapping"]
