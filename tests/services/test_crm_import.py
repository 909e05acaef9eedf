"""CRM import into the workspace: one transaction, idempotent by external ids, located errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from dealgraph.core.enums import DealStatus, Role
from dealgraph.errors import ImportFailed
from dealgraph.io.crm.mapping import CrmMapping, load_mapping
from dealgraph.services.crm_import import import_crm
from dealgraph.services.workspace import export_workspace, import_workspace, workspace_summary
from dealgraph.store import tables
from dealgraph.store.db import Database, open_database, sqlite_url
from dealgraph.store.entities import ACCOUNT, DEAL, STAGE_CHANGE, STAKEHOLDER
from dealgraph.store.records import select
from tests.io.crm_fixtures import (
    HUBSPOT_DEALS,
    HUBSPOT_HISTORY,
    HUBSPOT_MAPPING,
    MAVEN,
    SF_CONTACT_ROLES,
    SF_HISTORY,
    SF_MAPPING,
    SF_OPPORTUNITY,
    maven_mapping,
    write,
)

AS_OF = datetime(2025, 1, 1)


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return workspace_summary(session)


@pytest.fixture(scope="module")
def maven_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, list[object]]:
    """The Maven pipeline imported twice into one SQLite workspace (8,800 rows: done once)."""
    folder = tmp_path_factory.mktemp("maven")
    database = open_database(sqlite_url(folder / "w.db"))
    mapping = load_mapping(maven_mapping(folder))
    summaries: list[object] = []
    for _ in range(2):
        with database.session() as session:
            summaries.append(
                import_crm(
                    session,
                    MAVEN / "sales_pipeline.csv",
                    format_name="opportunities-csv",
                    mapping=mapping,
                    as_of=AS_OF,
                )
            )
    return database, summaries


def test_maven_pipeline_facts_after_import(maven_db: tuple[Database, list[object]]) -> None:
    database, (first, _) = maven_db
    with database.session() as session:
        deals = session.execute(
            sa.select(
                tables.deals.c.status, sa.func.count(), sa.func.sum(tables.deals.c.value)
            ).group_by(tables.deals.c.status)
        ).all()
        by_status = {status: (n, total) for status, n, total in deals}
        assert {k: v[0] for k, v in by_status.items()} == {"won": 4238, "lost": 2473, "open": 2089}
        assert by_status["won"][1] == 10_005_534
        assert by_status["lost"][1] == 0  # lost deals carry close_value 0 and still import
        segments = set(session.execute(sa.select(tables.deals.c.segment).distinct()).scalars())
        accounts = select(session, ACCOUNT)
        no_account = session.execute(
            sa.select(sa.func.count()).where(tables.deals.c.account_id.is_(None))
        ).scalar_one()
        prospecting = select(session, DEAL, where=[tables.deals.c.stage == "question_status_quo"])
    assert "GTX Pro" in segments and "GTXPro" not in segments
    assert len(accounts) == 85 and no_account == 1425
    assert {a.industry for a in accounts if a.name == "Acme Corporation"} == {"technolgy"}
    assert len(prospecting) == 500 and all(d.created_at == AS_OF for d in prospecting)
    assert first.warnings == {  # type: ignore[attr-defined]
        "account empty: the deal has no account": 1425,
        "engage_date empty: created_at is the time of the first import": 500,
    }


def test_maven_second_import_creates_nothing(maven_db: tuple[Database, list[object]]) -> None:
    database, (first, second) = maven_db
    assert first.created == {"accounts": 85, "deals": 8800}  # type: ignore[attr-defined]
    assert second.created_total == 0 and second.updated_total == 0  # type: ignore[attr-defined]
    assert second.unchanged == {"accounts": 85, "deals": 8800}  # type: ignore[attr-defined]
    assert second.rows_read == 8800  # type: ignore[attr-defined]
    assert _counts(database)["deals"] == 8800


def _salesforce(database: Database, folder: Path) -> None:
    mapping = load_mapping(write(folder, "sf.yaml", SF_MAPPING))
    files = [
        ("salesforce-opportunity", write(folder, "opp.csv", SF_OPPORTUNITY)),
        ("salesforce-history", write(folder, "hist.csv", SF_HISTORY)),
        (
            "salesforce-contact-role",
            write(folder, "roles.csv", SF_CONTACT_ROLES, encoding="cp1252"),
        ),
    ]
    for format_name, path in files:
        with database.session() as session:
            import_crm(session, path, format_name=format_name, mapping=mapping)


def test_salesforce_opportunity_history_and_contact_roles(
    database: Database, tmp_path: Path
) -> None:
    _salesforce(database, tmp_path)
    with database.session() as session:
        deals = {d.external_id: d for d in select(session, DEAL)}
        changes = select(session, STAGE_CHANGE)
        people = select(session, STAKEHOLDER)
    assert deals["006A000002"].status == DealStatus.WON
    assert deals["006A000002"].closed_at == datetime(2024, 2, 20)
    assert deals["006A000001"].value == 12500.0 and deals["006A000001"].source == "salesforce"
    won_id = deals["006A000002"].id
    assert [(c.from_stage, c.to_stage) for c in changes if c.deal_id == won_id] == [
        (None, "question_status_quo"),
        ("question_status_quo", "adopt"),
    ]
    assert {p.name: p.role for p in people} == {
        "Gérard Müller": Role.ECONOMIC_BUYER,
        "Ann Lee": Role.EVALUATOR,
        "Bo Chen": Role.OTHER,
    }
    before = _counts(database)
    _salesforce(database, tmp_path)  # again: nothing new
    assert _counts(database) == before


def test_history_reports_unmapped_stages(database: Database, tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, "sf.yaml", SF_MAPPING))
    with database.session() as session:
        import_crm(
            session,
            write(tmp_path, "o.csv", SF_OPPORTUNITY),
            format_name="salesforce-opportunity",
            mapping=mapping,
        )
    with database.session() as session:
        summary = import_crm(
            session,
            write(tmp_path, "h.csv", SF_HISTORY),
            format_name="salesforce-history",
            mapping=mapping,
        )
    assert summary.warnings == {"stage 'Needs Analysis' is not in the mapping": 1}
    assert [(s.line, s.column) for s in summary.skipped] == [(5, "StageName")]
    assert summary.created == {"stage_changes": 4}


def test_hubspot_deals_then_history(database: Database, tmp_path: Path) -> None:
    mapping = load_mapping(write(tmp_path, "hs.yaml", HUBSPOT_MAPPING))
    with database.session() as session:
        deals_summary = import_crm(
            session,
            write(tmp_path, "deals.csv", HUBSPOT_DEALS),
            format_name="hubspot-deals",
            mapping=mapping,
        )
        history = import_crm(
            session,
            write(tmp_path, "history.csv", HUBSPOT_HISTORY),
            format_name="hubspot-history",
            mapping=mapping,
        )
    assert deals_summary.created == {"accounts": 2, "deals": 3}
    assert history.created == {"stage_changes": 4}
    with database.session() as session:
        won = select(session, DEAL, where=[tables.deals.c.external_id == "9002"])[0]
    assert (won.status, won.stage, won.value) == (DealStatus.WON, "adopt", 75000.0)


def test_bad_row_stops_and_writes_nothing(database: Database, tmp_path: Path) -> None:
    text = SF_OPPORTUNITY.replace('"12,500.00"', "twelve")
    path = write(tmp_path, "opp.csv", text)
    with pytest.raises(ImportFailed) as caught, database.session() as session:
        import_crm(session, path, format_name="salesforce-opportunity")
    assert str(caught.value) == f"{path}, line 2, column Amount: 'twelve' is not a number"
    assert not any(_counts(database).values())


def test_bad_rows_are_skipped_and_reported(database: Database, tmp_path: Path) -> None:
    text = SF_OPPORTUNITY.replace("2024-02-01T08:00:00.000Z", "yesterday")
    path = write(tmp_path, "opp.csv", text)
    with database.session() as session:
        summary = import_crm(session, path, format_name="salesforce-opportunity", on_error="skip")
    assert summary.skipped_count == 1 and summary.created["deals"] == 2
    skipped = summary.skipped[0]
    assert (skipped.line, skipped.column) == (4, "CreatedDate")
    assert skipped.reason.startswith("'yesterday' is not a date")
    assert _counts(database)["deals"] == 2


def test_history_for_an_unknown_opportunity_is_a_located_error(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "h.csv", SF_HISTORY)
    with pytest.raises(ImportFailed, match=r"h\.csv, line 2, column OpportunityId: no opp"):
        with database.session() as session:
            import_crm(session, path, format_name="salesforce-history")


def test_changed_row_updates_and_mapping_stage_must_exist(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "opp.csv", SF_OPPORTUNITY)
    with database.session() as session:
        import_crm(session, path, format_name="salesforce-opportunity")
    write(tmp_path, "opp.csv", SF_OPPORTUNITY.replace("Acme renewal", "Acme renewal 2025"))
    with database.session() as session:
        summary = import_crm(session, path, format_name="salesforce-opportunity")
    assert summary.updated == {"deals": 1} and summary.unchanged["deals"] == 2
    bad = CrmMapping(stages={"Qualification": "qualify"})
    with pytest.raises(ImportFailed, match=r"mapping -> stages -> Qualification: 'qualify'"):
        with database.session() as session:
            import_crm(session, path, format_name="salesforce-opportunity", mapping=bad)


def test_native_round_trip_keeps_external_ids(database: Database, tmp_path: Path) -> None:
    _salesforce(database, tmp_path)
    with database.session() as session:
        document = export_workspace(session)
    assert {d["external_id"] for d in document["deals"]} == {
        "006A000001",
        "006A000002",
        "006A000003",
    }
    other = open_database(sqlite_url(tmp_path / "copy.db"))
    try:
        with other.session() as session:
            import_workspace(session, document)
        with other.session() as session:
            assert export_workspace(session) == document
    finally:
        other.dispose()
