"""Planning over the deals a user may see: owners filters, plan overrides as data, the overview."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dealgraph.core.enums import UserRole
from dealgraph.core.playbook import get_playbook
from dealgraph.core.users import User
from dealgraph.errors import InvalidInput, PlaybookError
from dealgraph.planning.assumptions import PLAN_FILE_HINT, resolve_rates
from dealgraph.planning.backtest import backtest
from dealgraph.planning.forecast import forecast_pipeline
from dealgraph.planning.funnel import build_goal_tree
from dealgraph.planning.period import parse_period
from dealgraph.planning.plan_file import load_plan_text
from dealgraph.planning.rates import history_rates
from dealgraph.services import plan_view
from dealgraph.services.deals import create_deal
from dealgraph.services.forecast import backtest_quarters, forecast_period
from dealgraph.services.quota import quota_plan, read_plan_overrides
from dealgraph.services.users import create_user
from dealgraph.store.deals import history_fingerprint, load_deal_records
from tests.factories import at, make_deal, make_workspace

Q1 = parse_period("2027Q1")
AS_OF = at(30)
PASSWORD = "Correct-Horse-42-battery"


def person(session: Session, name: str, role: UserRole, team: str = "north") -> User:
    return create_user(
        session, email=f"{name}@example.com", name=name, role=role, password=PASSWORD, team=team
    )


def test_quota_over_some_owners_is_the_plan_of_their_records_alone(session: Session) -> None:
    make_workspace(session)  # sam.seller: an open and a won deal; kim.seller: a lost one
    records = load_deal_records(session)
    book = get_playbook("buyer-journey")
    for owners in ({"sam.seller"}, {"sam.seller", "kim.seller"}):
        mine = [r for r in records if r.deal.owner in owners]
        history = history_rates(mine, book, as_of=AS_OF)
        rates = resolve_rates(
            history, read_plan_overrides({}, playbook=book), playbook=book, period=Q1
        )
        expected = build_goal_tree(quota=500_000, period=Q1, rates=rates, as_of=AS_OF.date())
        got = quota_plan(session, quota=500_000, period=Q1, as_of=AS_OF, owners=owners)
        assert got == expected
    # sam.seller alone: one closed deal, won: a 100 % win rate from one deal.
    alone = quota_plan(session, quota=500_000, period=Q1, as_of=AS_OF, owners={"sam.seller"})
    assert alone.win_rate == 1.0 and alone.rates.win_rate.label() == "history (n=1)"
    everyone = quota_plan(session, quota=500_000, period=Q1, as_of=AS_OF)
    assert everyone.win_rate == 0.5 and everyone.rates.win_rate.label() == "history (n=2)"
    with pytest.raises(InvalidInput) as error:
        quota_plan(session, quota=500_000, period=Q1, as_of=AS_OF, owners=set())
    assert error.value.where == "average_deal"


def test_forecast_and_backtest_over_some_owners_see_only_their_deals(session: Session) -> None:
    workspace = make_workspace(session)
    other = create_deal(session, deal=make_deal(owner="bo.seller"), account_name="Southwind")
    records = load_deal_records(session)
    book = {"buyer-journey": get_playbook("buyer-journey")}
    period = parse_period("2026Q2")
    for owners in ({"sam.seller"}, {"bo.seller", "kim.seller"}, {"sam.seller", "bo.seller"}):
        mine = [r for r in records if r.deal.owner in owners]
        expected = forecast_pipeline(mine, book, period, as_of=AS_OF, trials=500, seed=3)
        got = forecast_period(
            session, period=period, trials=500, seed=3, as_of=AS_OF, owners=owners
        )
        assert got == expected
    sams = forecast_period(session, period=period, trials=500, as_of=AS_OF, owners={"sam.seller"})
    assert [d.deal_id for d in sams.drivers] == [workspace.deals[0]]
    theirs = forecast_period(
        session, period=period, trials=500, as_of=AS_OF, owners={"bo.seller", "kim.seller"}
    )
    assert [d.deal_id for d in theirs.drivers] == [other.id]
    # bo.seller alone has closed nothing: there is no history of theirs to learn from.
    with pytest.raises(InvalidInput, match="no deal closed before 2026-02-04") as error:
        forecast_period(session, period=period, as_of=AS_OF, owners={"bo.seller"})
    assert error.value.where == "as_of"
    mine = [r for r in records if r.deal.owner == "sam.seller"]
    quarters = [parse_period("2026Q1"), parse_period("2026Q2")]
    scored = backtest_quarters(session, periods=2, trials=200, as_of=at(200), owners={"sam.seller"})
    assert scored == backtest(mine, book, quarters, trials=200, seed=7, min_history=30)
    assert scored.skipped == ["2026Q1", "2026Q2"]  # two closed deals: too little history
    with pytest.raises(InvalidInput, match="no deals to backtest"):
        backtest_quarters(session, periods=1, as_of=AS_OF, owners={"nobody"})


def test_overrides_given_as_data_are_checked_like_a_plan_file() -> None:
    book = get_playbook("buyer-journey")
    data = {"win_rate": 0.25, "average_deal": 50_000, "conversion": {"define_problem": 0.8}}
    text = "win_rate: 0.25\naverage_deal: 50000\nconversion:\n  define_problem: 0.8\n"
    assert read_plan_overrides(data, playbook=book) == load_plan_text(text)
    with pytest.raises(PlaybookError) as error:
        read_plan_overrides(
            {"win_rate": 22, "conversion": {"adopt": 0.5, "qualify": 0.5}, "sellr": 2},
            playbook=book,
        )
    found = {p.location.path: (p.code, p.file, p.location.line) for p in error.value.problems}
    assert found == {
        ("win_rate",): ("wrong-value", "request body", 0),
        ("conversion", "adopt"): ("won-stage", "request body", 0),
        ("conversion", "qualify"): ("unknown-reference", "request body", 0),
        ("sellr",): ("unknown-field", "request body", 0),
    }
    messages = " ".join(p.message for p in error.value.problems)
    assert "write 22 % as 0.22" in messages and "did you mean `sellers`?" in messages
    assert str(error.value).splitlines()[0] == "4 problem(s) in plan file"
    # Floats a JSON parser gives (1e-05, 1e+20) stay numbers: the data never passes as text.
    tiny = read_plan_overrides({"win_rate": 1e-05, "average_deal": 1e20}, playbook=book)
    assert (tiny.win_rate, tiny.average_deal) == (1e-05, 1e20)


def test_overrides_reach_the_tree(session: Session, tmp_path: Path) -> None:
    make_workspace(session)
    path = tmp_path / "plan.yaml"
    path.write_text("average_deal: 50000\nsellers: 4\n", encoding="utf-8")
    from_file = quota_plan(session, quota=500_000, period=Q1, as_of=AS_OF, plan_file=path)
    from_data = quota_plan(
        session,
        quota=500_000,
        period=Q1,
        as_of=AS_OF,
        overrides={"average_deal": 50_000, "sellers": 4},
    )
    assert from_data == from_file
    # 500,000 / 50,000 = 10 wins exactly; the history's 50 % first conversion -> 20.
    assert (from_data.wins, from_data.opportunities, from_data.sellers) == (10, 20, 4)


def test_the_overview_keeps_one_currency_and_reports_each_sections_error(session: Session) -> None:
    make_workspace(session)
    admin = person(session, "ada.admin", UserRole.ADMIN, team="")
    seller = person(session, "sam.seller", UserRole.SELLER)
    stranger = person(session, "lee.seller", UserRole.SELLER, team="east")
    before = history_fingerprint(session)
    period = parse_period("2026Q2")
    overview = plan_view.plan_overview(
        session, user=admin, period=period, quota=100_000, trials=500, as_of=AS_OF
    )
    assert overview.goal_tree is not None and overview.forecast is not None
    assert overview.goal_tree.currency == overview.forecast.currency == overview.currency == "EUR"
    assert overview.forecast.distribution.quota == 100_000
    assert overview.deals == 3 and overview.scope == "all"
    assert overview.forecast == forecast_period(
        session, period=period, quota=100_000, trials=500, seed=7, as_of=AS_OF, currency="EUR"
    )
    mine = plan_view.plan_overview(session, user=seller, period=period, trials=500, as_of=AS_OF)
    assert mine.goal_tree is None and mine.goal_tree_error is None  # no quota, no tree
    assert mine.deals == 2 and mine.scope == "own"
    assert mine.forecast is not None and mine.forecast.open_deals == 1
    nothing = plan_view.plan_overview(
        session, user=stranger, period=period, quota=10, trials=500, as_of=AS_OF
    )
    assert nothing.goal_tree_error is not None and nothing.forecast_error is not None
    assert nothing.goal_tree_error.where == "average_deal"
    assert "among your deals" in nothing.goal_tree_error.detail
    assert PLAN_FILE_HINT not in nothing.goal_tree_error.detail
    assert nothing.backtest_error is not None
    assert nothing.backtest_error.detail == "you have no deals to backtest"
    for bad, where in (
        ({"quota": -1.0}, "quota"),
        ({"quota": float("nan")}, "quota"),
        ({"currency": "euro"}, "currency"),
        ({"sellers": 0}, "sellers"),
        ({"trials": 100_001}, "trials"),
        ({"periods": 41}, "periods"),
    ):
        with pytest.raises(InvalidInput) as error:
            plan_view.plan_overview(session, user=admin, period=period, as_of=AS_OF, **bad)
        assert error.value.where == where
    assert history_fingerprint(session) == before  # planning never writes


def test_periods_default_to_the_next_quarter_and_read_date_ranges() -> None:
    assert plan_view.next_quarter(date(2026, 11, 23)).label == "2027Q1"
    assert plan_view.next_quarter(date(2026, 3, 31)).label == "2026Q2"
    moment = datetime(2026, 11, 23, 12)
    assert plan_view.plan_period("", as_of=moment).label == "2027Q1"
    assert plan_view.plan_period(" 2027-03 ", as_of=moment).end == date(2027, 3, 31)
    span = plan_view.plan_period("2027-01-15..2027-02-14", as_of=moment)
    assert (span.start, span.end, span.days) == (date(2027, 1, 15), date(2027, 2, 14), 31)
    for text in ("2027Q5", "2027-01-15..soon", "2027-02-01..2027-01-01"):
        with pytest.raises(InvalidInput) as error:
            plan_view.plan_period(text, as_of=moment)
        assert error.value.where == "period"


def test_messages_speak_the_webs_words() -> None:
    message = f"no won deals in the workspace: set average_deal {PLAN_FILE_HINT}"
    assert plan_view.web_words(message, "all") == (
        "no won deals in the workspace: set average_deal in the plan's overrides "
        "(the JSON body of POST /api/v1/plan/quota)"
    )
    assert plan_view.web_words(message, "team").startswith("no won deals among your team's deals")
    assert plan_view.web_words("choose another --currency", "own") == "choose another `currency`"
