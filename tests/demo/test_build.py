"""build_demo end to end: generate, import into a real database, read it back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo import build_demo, showcase_deals, summarize
from dealgraph.errors import Conflict
from dealgraph.services.workspace import export_workspace, workspace_summary
from dealgraph.store.db import Database, open_database, sqlite_url
from tests.demo.conftest import AS_OF


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite workspace, for the checks that do not depend on the backend."""
    db = open_database(sqlite_url(tmp_path / "demo.db"))
    try:
        yield db
    finally:
        db.dispose()


def test_build_demo_fills_an_empty_workspace(database: Database) -> None:
    summary = build_demo(database, seed=7, as_of=AS_OF)
    assert summary.deals == 300
    assert summary.sellers >= 8
    assert set(summary.deals_by_status) == {"open", "won", "lost", "no_decision"}
    assert sum(summary.deals_by_status.values()) == 300
    assert summary.as_of == AS_OF
    assert len(summary.showcase) == 3
    assert summary.seconds == summary.generate_seconds + summary.import_seconds > 0
    with database.session() as session:
        counts = workspace_summary(session)
        exported = export_workspace(session)
    assert counts["deals"] == 300
    assert counts["interactions"] == summary.interactions
    assert counts["stakeholders"] == summary.stakeholders
    assert counts["decisions"] == summary.decisions
    assert counts["plan_items"] == summary.plan_items
    assert exported["deals"][0]["playbook"] == "buyer-journey"


def test_build_demo_matches_the_pure_document(database: Database) -> None:
    from dealgraph.core.playbook import get_playbook
    from dealgraph.demo import build_demo_document

    build_demo(database, seed=3, as_of=AS_OF)
    expected = build_demo_document(seed=3, as_of=AS_OF, playbook=get_playbook("buyer-journey"))
    with database.session() as session:
        exported = export_workspace(session)
    assert exported == expected


def test_build_demo_refuses_a_workspace_that_is_not_empty(sqlite_database: Database) -> None:
    database = sqlite_database
    build_demo(database, seed=1, as_of=AS_OF)
    with database.session() as session:
        before = workspace_summary(session)
    with pytest.raises(Conflict, match="not empty"):
        build_demo(database, seed=2, as_of=AS_OF)
    with database.session() as session:
        assert workspace_summary(session) == before


def test_build_demo_defaults_to_now(sqlite_database: Database) -> None:
    database = sqlite_database
    started = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    summary = build_demo(database)
    assert started <= summary.as_of <= datetime.now(UTC).replace(tzinfo=None)
    with database.session() as session:
        exported = export_workspace(session)
    latest = max(i["occurred_at"] for i in exported["interactions"])
    assert datetime.fromisoformat(latest) <= summary.as_of


def test_showcase_picks_three_open_deals_along_the_journey(
    demo_document: dict[str, Any], buyer_journey: Playbook
) -> None:
    summary = summarize(demo_document, playbook=buyer_journey, as_of=AS_OF, seed=7)
    deals = {d["id"]: d for d in demo_document["deals"]}
    assert len(set(summary.showcase)) == 3
    assert all(deals[i]["status"] == "open" for i in summary.showcase)
    order = buyer_journey.journey_order
    positions = [order.index(deals[i]["stage"]) for i in summary.showcase]
    assert positions == sorted(positions) and positions[0] < positions[-1]
    assert summary.deals == 300 and summary.generate_seconds == 0.0


def test_showcase_of_a_workspace_without_open_deals_is_empty(
    demo_document: dict[str, Any], buyer_journey: Playbook
) -> None:
    closed = {
        **demo_document,
        "deals": [d for d in demo_document["deals"] if d["status"] != "open"],
    }
    assert showcase_deals(closed, playbook=buyer_journey) == ()


def test_showcase_deals_have_a_gps_with_signals(sqlite_database: Database) -> None:
    from dealgraph.services.gps import deal_gps, workspace_history

    summary = build_demo(sqlite_database, seed=7, as_of=AS_OF)
    with sqlite_database.session() as session:
        history = workspace_history(session, playbook_key="buyer-journey")
        reports = [
            deal_gps(session, deal_id=i, as_of=AS_OF, history=history) for i in summary.showcase
        ]
    assert [r.deal_id for r in reports] == list(summary.showcase)
    assert all(r.status == "open" and r.route for r in reports)
    assert all(r.eta.p50 <= r.eta.p90 for r in reports)
    assert any(r.signals for r in reports)
