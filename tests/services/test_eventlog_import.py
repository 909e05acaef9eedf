"""XES event logs into the workspace: one deal per case, idempotent, checked against the file.

Expected values come from ``tests.io.eventlog_fixtures.xes_cases``, an ElementTree reading
of the same file that shares no code with the importer.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from dealgraph.core.enums import DealStatus
from dealgraph.errors import ImportFailed
from dealgraph.io.eventlog_mapping import EventLogMapping, load_eventlog_mapping
from dealgraph.io.native_json import dump_document
from dealgraph.services.eventlog_import import (
    EventLogImportSummary,
    default_source,
    import_eventlog,
)
from dealgraph.services.workspace import export_workspace, import_workspace, workspace_summary
from dealgraph.store import tables
from dealgraph.store.db import Database, open_database, sqlite_url
from dealgraph.store.entities import ACCOUNT, DEAL, INTERACTION, STAGE_CHANGE
from dealgraph.store.records import select
from tests.io.eventlog_fixtures import (
    BAD_XES,
    HELPDESK,
    OUTCOMES,
    RUNNING_EXAMPLE,
    RUNNING_EXAMPLE_MAPPING,
    STAGES,
    write,
    xes_cases,
)


def _import(
    database: Database, path: Path, mapping: EventLogMapping | None = None, **options: object
) -> EventLogImportSummary:
    with database.session() as session:
        return import_eventlog(session, path, format_name="xes", mapping=mapping, **options)  # type: ignore[arg-type]


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return workspace_summary(session)


def test_running_example_becomes_one_deal_per_case(database: Database) -> None:
    oracle = xes_cases(RUNNING_EXAMPLE)
    summary = _import(database, RUNNING_EXAMPLE)
    events = sum(len(v) for v in oracle.values())
    assert (summary.events_read, summary.cases_read) == (events, len(oracle)) == (42, 6)
    assert summary.source == "eventlog:running-example"
    assert summary.created == {"accounts": 1, "deals": 6, "interactions": 42}
    assert summary.unmapped_activities == dict(
        Counter(e.activity for case in oracle.values() for e in case)
    )
    with database.session() as session:
        deals = {d.external_id: d for d in select(session, DEAL)}
        accounts = select(session, ACCOUNT)
        touches = select(session, INTERACTION, order_by=("id",))
    assert [a.name for a in accounts] == ["Imported from eventlog:running-example"]
    assert set(deals) == set(oracle)
    by_deal: dict[int | None, list[object]] = {}
    for touch in touches:
        by_deal.setdefault(touch.deal_id, []).append(touch)
    for case, expected in oracle.items():
        deal = deals[case]
        assert deal.title == case and deal.source == "eventlog:running-example"
        assert deal.created_at == min(e.timestamp for e in expected)
        assert deal.owner == "unassigned"  # no user or deal owner is called Pete, Mike...
        assert deal.status == DealStatus.OPEN and deal.account_id == accounts[0].id
        got = by_deal[deal.id]
        assert [(t.summary, t.occurred_at, t.seller) for t in got] == [  # type: ignore[attr-defined]
            (e.activity, e.timestamp, e.resource) for e in expected
        ]
        assert [t.external_id for t in got] == [  # type: ignore[attr-defined]
            f"{case}#{n}" for n in range(1, len(expected) + 1)
        ]
        assert {t.channel for t in got} == {"inside"}  # type: ignore[attr-defined]


def test_second_import_of_the_same_file_creates_nothing(database: Database) -> None:
    _import(database, RUNNING_EXAMPLE)
    before = _counts(database)
    again = _import(database, RUNNING_EXAMPLE)
    assert _counts(database) == before
    assert (again.created_total, again.updated_total) == (0, 0)
    assert again.unchanged == {"accounts": 1, "deals": 6, "interactions": 42}


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, list[object]]:
    """helpdesk.xes.gz (21k events) imported twice into one SQLite workspace: done once."""
    database = open_database(sqlite_url(tmp_path_factory.mktemp("helpdesk") / "w.db"))
    return database, [_import(database, HELPDESK) for _ in range(2)]


def test_helpdesk_counts_match_an_independent_reading(
    helpdesk: tuple[Database, list[EventLogImportSummary]],
) -> None:
    database, (first, second) = helpdesk
    oracle = xes_cases(HELPDESK)
    events = sum(len(v) for v in oracle.values())
    assert first.source == default_source(HELPDESK) == "eventlog:helpdesk"
    assert (first.events_read, first.cases_read) == (events, len(oracle))
    assert first.created == {"accounts": 1, "deals": len(oracle), "interactions": events}
    with database.session() as session:
        per_deal = dict(
            session.execute(
                sa.select(tables.deals.c.external_id, sa.func.count(tables.interactions.c.id))
                .join(tables.interactions)
                .group_by(tables.deals.c.external_id)
            ).all()
        )
        created = dict(
            session.execute(sa.select(tables.deals.c.external_id, tables.deals.c.created_at)).all()
        )
    assert per_deal == {case: len(v) for case, v in oracle.items()}
    assert created == {case: min(e.timestamp for e in v) for case, v in oracle.items()}
    assert second.created_total == 0 and second.updated_total == 0
    assert second.unchanged == first.created
    assert _counts(database)["interactions"] == events


def test_stage_mapping_outcomes_and_unmapped_activities(database: Database, tmp_path: Path) -> None:
    oracle = xes_cases(RUNNING_EXAMPLE)
    mapping = load_eventlog_mapping(write(tmp_path, "claims.yaml", RUNNING_EXAMPLE_MAPPING))
    summary = _import(database, RUNNING_EXAMPLE, mapping)
    everything = [e for case in oracle.values() for e in case]
    staged = [e for e in everything if e.activity in STAGES]
    closing = [e for e in everything if e.activity in OUTCOMES]
    assert summary.source == "claims"
    assert summary.created == {
        "accounts": 1,
        "deals": 6,
        "stage_changes": len(staged),
        "interactions": len(everything) - len(staged) - len(closing),
    }
    assert summary.outcome_events == len(closing) == 6
    assert summary.unmapped_activities == {"check ticket": 9, "reinitiate request": 3}
    with database.session() as session:
        deals = {d.id: d for d in select(session, DEAL)}
        changes = select(session, STAGE_CHANGE)
    for deal in deals.values():
        expected = oracle[str(deal.external_id)]
        close = next(e for e in reversed(expected) if e.activity in OUTCOMES)
        last_stage = next(e for e in reversed(expected) if e.activity in STAGES)
        assert (deal.status, deal.closed_at) == (OUTCOMES[close.activity], close.timestamp)
        assert (deal.stage, deal.stage_entered_at) == (
            STAGES[last_stage.activity],
            last_stage.timestamp,
        )
        route = [STAGES[e.activity] for e in expected if e.activity in STAGES]
        mine = [c for c in changes if c.deal_id == deal.id]
        assert [c.to_stage for c in mine] == route
        assert [c.from_stage for c in mine] == [None, *route[:-1]]
    assert {d.status for d in deals.values()} == {DealStatus.WON, DealStatus.LOST}


def test_reimport_with_a_stage_mapping_replaces_interactions(
    database: Database, tmp_path: Path
) -> None:
    _import(database, RUNNING_EXAMPLE, EventLogMapping(source="claims"))
    mapping = load_eventlog_mapping(write(tmp_path, "claims.yaml", RUNNING_EXAMPLE_MAPPING))
    summary = _import(database, RUNNING_EXAMPLE, mapping)
    assert summary.created == {"stage_changes": 24}
    assert summary.unchanged == {"accounts": 1, "interactions": 12}
    assert summary.updated == {"deals": 6}  # stage and status now come from the log
    assert summary.warnings["events imported before as an interaction were replaced"] == 30
    counts = _counts(database)
    assert (counts["interactions"], counts["stage_changes"], counts["deals"]) == (12, 24, 6)
    with database.session() as session:
        assert {d.version for d in select(session, DEAL)} == {2}


def test_a_known_seller_owns_the_deal(database: Database) -> None:
    from datetime import datetime

    from dealgraph.core.enums import UserRole
    from dealgraph.core.users import User
    from dealgraph.store.users import create_user

    with database.session() as session:
        user = User(
            email="pete@example.com",
            name="Pete",
            role=UserRole.SELLER,
            created_at=datetime(2024, 1, 1),
        )
        create_user(session, user=user, password_hash="x" * 60)
    summary = _import(database, RUNNING_EXAMPLE)
    with database.session() as session:
        owners = {d.external_id: d.owner for d in select(session, DEAL)}
    oracle = xes_cases(RUNNING_EXAMPLE)
    first = {case: events[0].resource for case, events in oracle.items()}
    assert owners == {c: ("Pete" if r == "Pete" else "unassigned") for c, r in first.items()}
    note = "first resource is no seller of the workspace: the deal is owned by 'unassigned'"
    assert summary.warnings[note] == sum(r != "Pete" for r in first.values())


def test_bad_event_stops_the_import_and_nothing_is_written(
    database: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "bad.xes", BAD_XES)
    with pytest.raises(ImportFailed) as caught:
        _import(database, path)
    assert caught.value.where == f"{path}, line 16, event 3, attribute time:timestamp"
    assert caught.value.message == "the event has no time:timestamp"
    assert set(_counts(database).values()) == {0}


def test_bad_events_are_skipped_and_keep_their_numbers(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.xes", BAD_XES)
    summary = _import(database, path, on_error="skip")
    assert summary.skipped_count == 2
    assert [(s.event, s.line, s.case, s.field) for s in summary.skipped] == [
        (3, 16, "B", "time:timestamp"),
        (4, 19, "B", "concept:name"),
    ]
    assert summary.created == {"accounts": 1, "deals": 2, "interactions": 3}
    with database.session() as session:
        ids = [t.external_id for t in select(session, INTERACTION, order_by=("id",))]
    assert ids == ["A#1", "A#2", "B#3"]


def test_mapping_errors_are_named_before_anything_is_read(database: Database) -> None:
    with pytest.raises(ImportFailed) as caught:
        _import(database, RUNNING_EXAMPLE, EventLogMapping(stages={"decide": "nowhere"}))
    assert caught.value.where == "mapping -> stages -> decide"
    assert "'nowhere' is not a stage of playbook 'buyer-journey'" in caught.value.message
    with pytest.raises(ImportFailed) as caught:
        _import(database, RUNNING_EXAMPLE, EventLogMapping(columns={"Activity": "activity"}))
    assert caught.value.where == "mapping -> columns -> Activity"
    assert set(_counts(database).values()) == {0}


def test_native_json_round_trip_keeps_imported_ids(database: Database, tmp_path: Path) -> None:
    mapping = load_eventlog_mapping(write(tmp_path, "claims.yaml", RUNNING_EXAMPLE_MAPPING))
    _import(database, RUNNING_EXAMPLE, mapping)
    with database.session() as session:
        document = export_workspace(session)
    assert {t["external_id"] for t in document["interactions"]} >= {"3#3", "5#6"}
    copy = open_database(sqlite_url(tmp_path / "copy.db"))
    try:
        with copy.session() as session:
            import_workspace(session, document)
        with copy.session() as session:
            assert dump_document(export_workspace(session)) == dump_document(document)
        again = _import(copy, RUNNING_EXAMPLE, mapping)  # the copy still knows the ids
        assert again.created_total == 0
    finally:
        copy.dispose()
