"""CSV event logs into the workspace: column mapping, titles as stages, outcomes, bad rows.

The fixtures are small enough to check by hand: every expected value below was worked out
from the CSV text in ``tests.io.eventlog_fixtures``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dealgraph.core.enums import Channel, DealStatus, Outcome, UserRole
from dealgraph.core.users import User
from dealgraph.errors import ImportFailed
from dealgraph.io.eventlog_mapping import EventLogMapping, load_eventlog_mapping
from dealgraph.services.eventlog_import import EventLogImportSummary, import_eventlog
from dealgraph.services.workspace import workspace_summary
from dealgraph.store.db import Database
from dealgraph.store.entities import ACCOUNT, DEAL, INTERACTION, STAGE_CHANGE
from dealgraph.store.records import select
from dealgraph.store.users import create_user
from tests.io.eventlog_fixtures import BAD_CSV, TOUCHES_CSV, TOUCHES_MAPPING, write

BAD_MAPPING = EventLogMapping(
    columns={"deal": "case", "step": "activity", "at": "timestamp", "result": "outcome"}
)


def _import(
    database: Database, path: Path, mapping: EventLogMapping, on_error: str = "stop"
) -> EventLogImportSummary:
    with database.session() as session:
        return import_eventlog(
            session,
            path,
            format_name="eventlog-csv",
            mapping=mapping,
            on_error="skip" if on_error == "skip" else "stop",
        )


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return workspace_summary(session)


def test_csv_log_with_a_mapping_file(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        create_user(
            session,
            user=User(
                email="sam@example.com",
                name="sam",
                role=UserRole.SELLER,
                created_at=datetime(2024, 1, 1),
            ),
            password_hash="x" * 60,
        )
    path = write(tmp_path, "touches.csv", TOUCHES_CSV)
    mapping = load_eventlog_mapping(write(tmp_path, "m.yaml", TOUCHES_MAPPING))
    summary = _import(database, path, mapping)
    assert summary.source == "crm-log"
    assert summary.created == {"accounts": 2, "deals": 2, "stage_changes": 2, "interactions": 3}
    assert summary.unmapped_activities == {"demo call": 1, "Contract signed": 1, "Follow up": 1}
    assert summary.warnings == {
        "first resource is no seller of the workspace: the deal is owned by 'unassigned'": 1,
        "channel 'carrier pigeon' matches no channel: recorded as inside": 1,
    }
    with database.session() as session:
        deals = {d.external_id: d for d in select(session, DEAL)}
        accounts = {a.id: a.name for a in select(session, ACCOUNT)}
        touches = {t.external_id: t for t in select(session, INTERACTION)}
        changes = {c.external_id: c for c in select(session, STAGE_CHANGE)}
    d1, d2 = deals["D1"], deals["D2"]
    assert (d1.owner, accounts[d1.account_id or 0]) == ("sam", "Acme")
    # D2's first event names no company; the account comes from its first event that does.
    assert (d2.owner, accounts[d2.account_id or 0]) == ("unassigned", "Globex")
    assert (d1.status, d1.closed_at) == (DealStatus.WON, datetime(2024, 1, 10, 16, 0))
    assert (d2.status, d2.closed_at) == (DealStatus.LOST, datetime(2024, 1, 5, 9, 0))
    assert (d1.stage, d1.stage_entered_at) == ("question_status_quo", datetime(2024, 1, 2, 9))
    assert set(changes) == {"D1#1", "D2#1"}
    assert {c.to_stage for c in changes.values()} == {"question_status_quo"}
    demo = touches["D1#2"]
    assert (demo.summary, demo.channel, demo.outcome, demo.seller) == (
        "demo call",
        Channel.VIRTUAL,  # "Zoom" is a synonym of virtual
        Outcome.ADVANCED,
        "sam",
    )
    # An outcome cell closes the deal and the event is still an interaction.
    assert touches["D1#3"].channel == Channel.FIELD
    assert touches["D2#2"].channel == Channel.INSIDE


def test_bad_row_stops_with_file_line_and_column(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", BAD_CSV)
    with pytest.raises(ImportFailed) as caught:
        _import(database, path, BAD_MAPPING)
    assert caught.value.where == f"{path}, line 3, column at"
    assert caught.value.message == "timestamp 'soon' is not ISO 8601"
    assert set(_counts(database).values()) == {0}


def test_bad_rows_are_skipped_and_reported(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", BAD_CSV)
    summary = _import(database, path, BAD_MAPPING, on_error="skip")
    assert [(s.line, s.field, s.case) for s in summary.skipped] == [
        (3, "at", "D1"),
        (4, "deal", None),
        (5, "result", "D2"),
        (6, "step", "D2"),
    ]
    assert summary.skipped[2].reason.startswith("outcome 'maybe' is not won, lost or no_decision")
    assert summary.created == {"accounts": 1, "deals": 2, "interactions": 2}
    with database.session() as session:
        deals = {d.external_id: d.status for d in select(session, DEAL)}
        ids = sorted(t.external_id or "" for t in select(session, INTERACTION))
    assert deals == {"D1": DealStatus.OPEN, "D2": DealStatus.WON}
    assert ids == ["D1#1", "D2#3"]  # skipped rows keep their numbers


def test_fixing_a_skipped_row_adds_only_that_event(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", BAD_CSV)
    _import(database, path, BAD_MAPPING, on_error="skip")
    fixed = write(tmp_path, "bad.csv", BAD_CSV.replace("soon", "2024-01-02T15:00"))
    summary = _import(database, fixed, BAD_MAPPING, on_error="skip")
    assert summary.created == {"interactions": 1}
    assert summary.unchanged == {"accounts": 1, "deals": 2, "interactions": 2}
    assert summary.skipped_count == 3


def test_changed_event_is_updated_not_duplicated(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "touches.csv", TOUCHES_CSV)
    mapping = load_eventlog_mapping(write(tmp_path, "m.yaml", TOUCHES_MAPPING))
    _import(database, path, mapping)
    write(tmp_path, "touches.csv", TOUCHES_CSV.replace("demo call,03/01/2024", "demo,04/01/2024"))
    summary = _import(database, path, mapping)
    assert summary.updated == {"interactions": 1}
    assert summary.created_total == 0
    with database.session() as session:
        demo = [t for t in select(session, INTERACTION) if t.external_id == "D1#2"]
    assert [(t.summary, t.occurred_at) for t in demo] == [("demo", datetime(2024, 1, 4, 10))]


def test_csv_needs_case_activity_and_timestamp_columns(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "touches.csv", TOUCHES_CSV)
    with pytest.raises(ImportFailed) as caught:
        _import(database, path, EventLogMapping(columns={"deal": "case"}))
    assert caught.value.where == "mapping -> columns"
    assert "activity, timestamp (--activity, --timestamp" in caught.value.message
    columns = {"deal": "case", "step": "activity", "at": "timestamp", "verdict": "outcome"}
    with pytest.raises(ImportFailed) as caught:
        _import(database, path, EventLogMapping(columns=columns))
    assert caught.value.where == f"{path}:1"
    assert "no column 'verdict' for outcome" in caught.value.message
    assert set(_counts(database).values()) == {0}


def test_mapping_file_errors_name_the_entry(tmp_path: Path) -> None:
    bad_outcome = write(tmp_path, "a.yaml", "outcomes: {Signed: open}\n")
    with pytest.raises(ImportFailed) as caught:
        load_eventlog_mapping(bad_outcome)
    assert caught.value.where == f"{bad_outcome} -> outcomes -> Signed"
    bad_channel = write(tmp_path, "b.yaml", "channels: {Pigeon: bird}\n")
    with pytest.raises(ImportFailed) as caught:
        load_eventlog_mapping(bad_channel)
    assert caught.value.where == f"{bad_channel} -> channels -> Pigeon"
    broken = write(tmp_path, "c.yaml", "stages: [unclosed\n")
    with pytest.raises(ImportFailed) as caught:
        load_eventlog_mapping(broken)
    assert caught.value.where.startswith(f"{broken}:")


UNORDERED_CSV = """\
deal,step,at
D1,choose_solution,2024-01-05T09:00
D1,question_status_quo,2024-01-01T09:00
D1,define_problem,2024-01-03T09:00
D1,assemble_team,2024-01-03T09:00
D1,call,2024-01-02T09:00
"""
COLUMNS = {"deal": "case", "step": "activity", "at": "timestamp"}


def test_stage_history_follows_time_then_file_order(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "unordered.csv", UNORDERED_CSV)
    seen: list[int] = []
    with database.session() as session:
        summary = import_eventlog(
            session,
            path,
            format_name="eventlog-csv",
            mapping=EventLogMapping(columns=COLUMNS),
            on_events=seen.append,
        )
    assert sum(seen) == summary.events_read == 5
    with database.session() as session:
        changes = {c.to_stage: c.from_stage for c in select(session, STAGE_CHANGE)}
        (deal,) = select(session, DEAL)
    # By time: status quo (1st), define problem and assemble team (3rd, in file order), choose.
    assert changes == {
        "question_status_quo": None,
        "define_problem": "question_status_quo",
        "assemble_team": "define_problem",
        "choose_solution": "assemble_team",
    }
    assert (deal.stage, deal.stage_entered_at) == ("choose_solution", datetime(2024, 1, 5, 9))
    assert deal.created_at == datetime(2024, 1, 1, 9)


def test_too_long_values_are_bad_rows(database: Database, tmp_path: Path) -> None:
    long_name = "x" * 201
    text = f"deal,step,at,who\nD1,call,2024-01-01,{long_name}\n{'C' * 191},call,2024-01-01,\n"
    path = write(tmp_path, "long.csv", text)
    mapping = EventLogMapping(columns={**COLUMNS, "who": "resource"})
    summary = _import(database, path, mapping, on_error="skip")
    assert [(s.line, s.field, s.reason) for s in summary.skipped] == [
        (2, "who", "longer than 200 characters"),
        (3, "deal", "the case id is longer than 190 characters"),
    ]
    assert set(_counts(database).values()) == {0}


CHANNEL_XES = """\
<?xml version="1.0" encoding="UTF-8"?>
<log>
  <trace>
    <string key="concept:name" value="T1"/>
    <event>
      <string key="concept:name" value="intro"/>
      <string key="via" value="Phone call"/>
      <string key="org:resource" value="ana"/>
      <date key="time:timestamp" value="2024-03-01T09:00:00+01:00"/>
    </event>
    <event>
      <string key="concept:name" value="signed"/>
      <string key="verdict" value="no decision"/>
      <date key="time:timestamp" value="2024-03-09T09:00:00+01:00"/>
    </event>
  </trace>
</log>
"""


def test_xes_attributes_for_channel_and_outcome(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path, "calls.xes", CHANNEL_XES)
    mapping = EventLogMapping(columns={"via": "channel", "verdict": "outcome"})
    with database.session() as session:
        summary = import_eventlog(session, path, format_name="xes", mapping=mapping)
    assert summary.warnings["no channel: recorded as inside"] == 1
    with database.session() as session:
        (deal,) = select(session, DEAL)
        touches = [(t.summary, t.channel, t.seller) for t in select(session, INTERACTION)]
    assert touches == [("intro", Channel.PHONE, "ana"), ("signed", Channel.INSIDE, "")]
    assert (deal.status, deal.closed_at) == (DealStatus.NO_DECISION, datetime(2024, 3, 9, 8))
