"""Planning a quota from the workspace: both databases, the demo workspace, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.playbook import get_playbook
from dealgraph.demo import build_demo_document
from dealgraph.errors import InvalidInput, PlaybookError
from dealgraph.io.native_json import deal_records
from dealgraph.planning.assumptions import resolve_rates
from dealgraph.planning.funnel import build_goal_tree
from dealgraph.planning.period import parse_period
from dealgraph.planning.plan_file import PlanFile
from dealgraph.planning.rates import history_rates
from dealgraph.services.quota import quota_plan
from dealgraph.services.workspace import import_workspace
from dealgraph.store.db import Database, open_database
from dealgraph.store.deals import history_fingerprint
from tests.factories import at, make_workspace

Q1 = parse_period("2027Q1")
DEMO_AS_OF = datetime(2026, 6, 30)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_small_workspace_by_hand(session: Session) -> None:
    # make_workspace: deal 2 is won (48,500.5 EUR, 23 days, 8 stage advances, 19 field
    # touches), deal 3 lost in the first stage, deal 1 open (sam.seller; kim.seller lost).
    make_workspace(session)
    tree = quota_plan(session, quota=500_000, period=Q1, as_of=at(30))
    # 500,000 / 48,500.5 = 10.3 -> 11 wins. Half the closed deals left the first stage and
    # every one that did went on to win: 11 at every stage, 11 / 0.5 = 22 opportunities.
    assert (tree.currency, tree.wins, tree.opportunities) == ("EUR", 11, 22)
    assert [c.rate.value for c in tree.rates.conversions] == [0.5] + [1.0] * 7
    assert tree.win_rate == 0.5 and tree.rates.win_rate.label() == "history (n=2)"
    # Advances: entries into the 7 later stages and the win, 8 x 11 = 88; 19 touches over
    # 8 advances = 2.375 each -> 209 conversations (all field), 209 activities.
    assert (tree.advances, tree.conversations, tree.activities) == (88, 209, 209)
    # 2 active sellers over 90 / 7 weeks: 209 / 2 / 12.857 = 8.1 -> 9 a week.
    assert tree.sellers == 2 and tree.rates.sellers.label() == "history (n=3)"
    talk = tree.root
    while talk.key != "conversations_per_seller_week":
        talk = talk.children[0]
    assert talk.count == 9
    # One win, 23 days after creation: the first stage must be reached 23 days ahead.
    first = tree.time_phasing[0]
    assert (first.days_p50, str(first.enter_from), str(first.enter_by)) == (
        23,
        "2026-12-09",
        "2027-03-08",
    )


def test_empty_workspace_asks_for_each_missing_rate(session: Session, tmp_path: Path) -> None:
    before = history_fingerprint(session)
    with pytest.raises(InvalidInput) as error:
        quota_plan(session, quota=500_000, period=Q1, as_of=at(30))
    assert str(error.value) == (
        "average_deal: no won deals in the workspace: set average_deal in a plan file (--plan)"
    )
    plan = write(tmp_path, "average_deal: 50000\n")
    with pytest.raises(InvalidInput, match="no closed deals in the workspace: set win_rate"):
        quota_plan(session, quota=500_000, period=Q1, plan_file=plan, as_of=at(30))
    plan = write(tmp_path, "average_deal: 50000\nwin_rate: 0.25\n")
    with pytest.raises(InvalidInput, match="no active sellers in the workspace: pass --sellers"):
        quota_plan(session, quota=500_000, period=Q1, plan_file=plan, as_of=at(30))
    tree = quota_plan(session, quota=500_000, period=Q1, plan_file=plan, sellers=3, as_of=at(30))
    # 500,000 / 50,000 = 10 wins; 10 / 0.25 = 40 opportunities; no stages to walk.
    assert (tree.wins, tree.opportunities, tree.currency) == (10, 40, "USD")
    assert tree.notes[0].startswith("no stage history: the tree stops at opportunities")
    assert tree.rates.cycle_p50.label() == "default (playbook durations)"
    assert history_fingerprint(session) == before  # planning never writes


def test_bad_inputs_name_what_is_wrong(session: Session, tmp_path: Path) -> None:
    make_workspace(session)
    with pytest.raises(InvalidInput) as error:
        quota_plan(session, quota=0, period=Q1)
    assert error.value.where == "quota"
    with pytest.raises(InvalidInput) as error:
        quota_plan(session, quota=10, period=Q1, currency="euro")
    assert error.value.where == "currency"
    with pytest.raises(InvalidInput) as error:
        quota_plan(session, quota=10, period=Q1, playbook_key="no-such-playbook")
    assert error.value.where == "playbook"
    plan = write(tmp_path, "win_rate: 0.2\nconversion:\n  define_problme: 0.5\n")
    with pytest.raises(PlaybookError) as located:
        quota_plan(session, quota=10, period=Q1, plan_file=plan)
    (problem,) = located.value.problems
    assert (problem.file, problem.location.line, problem.location.column) == (str(plan), 3, 3)
    assert "did you mean `define_problem`?" in problem.message


@pytest.fixture(scope="module")
def demo_document() -> dict[str, Any]:
    return build_demo_document(seed=7, as_of=DEMO_AS_OF)


@pytest.fixture(scope="module")
def demo_db(
    tmp_path_factory: pytest.TempPathFactory, demo_document: dict[str, Any]
) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('quota') / 'demo.db'}")
    with database.session() as session:
        import_workspace(session, demo_document)
    yield database
    database.dispose()


def test_demo_plan_from_the_store_equals_the_plan_from_the_document(
    demo_db: Database, demo_document: dict[str, Any]
) -> None:
    with demo_db.session() as session:
        tree = quota_plan(session, quota=2_000_000, period=Q1, as_of=DEMO_AS_OF)
    book = get_playbook("buyer-journey")
    history = history_rates(deal_records(demo_document), book, as_of=DEMO_AS_OF)
    rates = resolve_rates(history, PlanFile(), playbook=book, period=Q1)
    expected = build_goal_tree(quota=2_000_000, period=Q1, rates=rates, as_of=DEMO_AS_OF.date())
    assert tree == expected
    assert tree.currency == "USD" and len(tree.rates.conversions) == 8
    assert tree.conversations is not None and tree.activities is not None
    assert tree.conversations < tree.activities
    assert tree.opportunities > tree.wins / tree.win_rate  # rounding up at every stage


def test_demo_plan_with_options_and_a_plan_file(demo_db: Database, tmp_path: Path) -> None:
    plan = write(tmp_path, "win_rate: 0.3\nconversion:\n  approve_contract: 0.9\nweeks: 12\n")
    with demo_db.session() as session:
        tree = quota_plan(
            session,
            quota=1_000_000,
            period=Q1,
            plan_file=plan,
            currency="eur",
            sellers=5,
            as_of=DEMO_AS_OF,
        )
    assert tree.currency == "EUR" and tree.rates.average_deal.label().startswith("history (n=")
    assert tree.win_rate == 0.3 and tree.rates.conversions[-1].rate.value == 0.9
    assert (tree.sellers, tree.weeks) == (5, 12)
    per_week = tree.root.children[0]
    while per_week.key != "activities_per_seller_week":
        per_week = per_week.children[-1]
    assert per_week.rate == 60
    assert tree.activities is not None and per_week.count == -(-tree.activities // 60)
