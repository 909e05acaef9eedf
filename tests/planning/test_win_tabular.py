"""Win models on an opportunities table: the real Maven CRM export and small hand-made tables."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest

from dealgraph.errors import InvalidInput
from dealgraph.planning.tabular import TableResult, parse_day, train_table
from dealgraph.planning.win_model import NotEnoughHistory
from dealgraph.services.win_model import train_table_file
from tests.conftest import SHARED_DATA

PIPELINE = SHARED_DATA / "crm_maven" / "sales_pipeline.csv"


@pytest.fixture(scope="module")
def maven() -> TableResult:
    return train_table_file(
        PIPELINE, target="deal_stage", won=["Won"], lost=["Lost"], date="engage_date"
    )


def test_maven_counts_match_the_known_facts(maven: TableResult) -> None:
    # SOURCES.md: Won 4,238, Lost 2,473, Engaging 1,589, Prospecting 500
    assert (maven.rows, maven.won, maven.lost, maven.open) == (8800, 4238, 2473, 2089)
    assert maven.left_out == 0 and maven.split_on == "engage_date"
    assert len(maven.scored) == 2089


def test_maven_outcome_columns_are_left_out_with_the_reason(maven: TableResult) -> None:
    uses = {c.column: c for c in maven.columns}
    assert set(maven.excluded) == {"close_date", "close_value"}
    assert "recorded at the close" in uses["close_value"].reason
    assert uses["opportunity_id"].use == "identifier"
    assert uses["engage_date"].use == "date" and uses["deal_stage"].use == "target"
    assert {uses[c].use for c in ("sales_agent", "product", "account")} == {"text"}
    features = maven.report.features
    assert not any(f.startswith("close_") for f in features)
    assert {"engage_date month", "engage_date age", "sales_agent"} <= set(features)


def test_maven_model_beats_the_naive_bayes_baseline(maven: TableResult) -> None:
    report = maven.report
    kept, baseline = report.metrics[report.kind], report.metrics["baseline"]
    assert report.beats_baseline
    assert kept.auc is not None and baseline.auc is not None
    assert kept.auc > baseline.auc and kept.brier < baseline.brier
    # Honest scale: the table says little about the outcome; nobody ranks well on it.
    assert 0.45 < baseline.auc < 0.6 and kept.auc < 0.6


def test_maven_time_split_holds_out_the_latest_engagements(maven: TableResult) -> None:
    with PIPELINE.open(encoding="utf-8", newline="") as handle:
        closed = [r for r in csv.DictReader(handle) if r["deal_stage"] in ("Won", "Lost")]
    days = sorted(r["engage_date"] for r in closed)
    cut = days[len(days) - round(len(days) * 0.3)]  # the first held-out engagement
    report = maven.report
    assert report.cut is not None and report.cut.date().isoformat() == cut == "2017-08-16"
    assert report.deals_test == sum(1 for d in days if d >= cut)
    assert report.deals_train == sum(1 for d in days if d < cut)


def test_maven_open_rows_are_named_by_their_id_and_explained(maven: TableResult) -> None:
    first = maven.scored[0]
    assert (first.row, first.line) == ("HAXMC4IX", 11)
    assert 0 < first.explanation.probability < 1
    for factor in [*first.explanation.up, *first.explanation.down]:
        assert "log-odds" in factor.said


def _table(rows: int = 80) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A table where the region carries the outcome and ``amount`` is recorded at the close."""
    header = ["id", "region", "size", "opened", "result", "amount"]
    data = []
    start = date(2024, 1, 1)
    for i in range(rows):
        won = i % 3 != 0 if i % 2 == 0 else i % 5 == 0
        region = "north" if i % 2 == 0 else "south"
        values = {
            "id": f"op{i}",
            "region": region,
            "size": str(10 + i % 7),
            "opened": (start + timedelta(days=i)).isoformat(),
            "result": "W" if won else "L",
            "amount": str(1000 + i) if won else "0",
        }
        data.append((i + 2, values))
    return header, data


def test_a_column_that_separates_won_from_lost_is_left_out() -> None:
    header, rows = _table()
    result = train_table(header, rows, target="result", won=["W"], lost=["L"], date="opened")
    assert "amount" in result.excluded
    assert "known only at the outcome" in result.excluded["amount"]
    assert "amount" not in result.report.features
    assert result.open == 0 and result.scored == []
    assert parse_day("2024-03-01") is not None and parse_day("soon") is None


def test_ignored_columns_and_file_order_split() -> None:
    header, rows = _table()
    result = train_table(header, rows, target="result", won=["W"], lost=["L"], ignore=["size"])
    uses = {c.column: c.use for c in result.columns}
    assert uses["size"] == "ignored" and result.split_on == "file order"
    assert result.report.cut is None and "size" not in result.report.features


@pytest.mark.parametrize(
    ("options", "where", "message"),
    [
        ({"target": "outcome"}, "target", "unknown column 'outcome'; the table has id, region"),
        ({"won": ["Won"]}, "won", "no row has result = 'Won'; its values are L (46), W (34)"),
        ({"lost": []}, "lost", "give at least one value"),
        ({"lost": ["W"]}, "lost", "W listed as won and as lost"),
        ({"date": "region"}, "date", "column 'region' does not hold ISO dates"),
        ({"ignore": ["nope"]}, "ignore", "unknown column 'nope'"),
    ],
)
def test_bad_options_say_what_and_where(
    options: dict[str, object], where: str, message: str
) -> None:
    header, rows = _table()
    arguments: dict[str, object] = {"target": "result", "won": ["W"], "lost": ["L"]} | options
    with pytest.raises(InvalidInput) as raised:
        train_table(header, rows, **arguments)  # type: ignore[arg-type]
    assert raised.value.where == where
    assert message in raised.value.message


def test_too_few_closed_rows_is_refused() -> None:
    header, rows = _table(rows=30)
    with pytest.raises(NotEnoughHistory, match="at least 40 won or lost rows"):
        train_table(header, rows, target="result", won=["W"], lost=["L"])
