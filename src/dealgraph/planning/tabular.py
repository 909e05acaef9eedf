"""Win models on any opportunities table: a target column, won and lost values, other columns.

Each column is read as numbers, ISO dates or text. Text is one-hot encoded (rare values
grouped), numbers pass through, and a date becomes two numbers: its month and its age in
days before the table's newest date. Rows whose target is neither a won nor a lost value
are the open opportunities: they are scored and explained, never learned from.

Outcome columns are the trap of every CRM export: a close date or a close value is
recorded when the deal closes, so it "predicts" the outcome perfectly and nothing else.
Such columns are left out before training, and the report says why:

- filled on (nearly) every closed row and (nearly) no open row: recorded at the close;
- on its own it tells won from lost almost perfectly (AUC of 0.95 or more on the rows the
  model learns from): no honest column does that.

``--ignore`` leaves out any other column. The ``date`` column splits the rows in time
(the latest 30 % held out); it is a feature only if it passes the same checks.

Example:
    >>> result = train_table(header, rows, target="deal_stage", won=["Won"], lost=["Lost"],
    ...                      date="engage_date")  # doctest: +SKIP
    >>> result.excluded  # doctest: +SKIP
    {'close_date': 'filled only on closed rows ...', 'close_value': 'filled only on ...'}
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sklearn.metrics import roc_auc_score

from dealgraph.errors import InvalidInput
from dealgraph.planning.encoding import number
from dealgraph.planning.evaluation import TEST_SHARE
from dealgraph.planning.win_model import (
    Dataset,
    Describe,
    Explanation,
    ModelReport,
    NotEnoughHistory,
    WinModel,
    check_history,
    train_and_compare,
)

Use = Literal["text", "number", "date", "target", "row id", "ignored", "identifier", "outcome"]
FILLED_CLOSED = 0.98
"""An outcome column is filled on at least this share of closed rows ..."""
FILLED_OPEN = 0.02
"""... and on at most this share of open rows ..."""
MIN_OPEN_ROWS = 10
"""... provided there are this many open rows to tell."""
SEPARATES = 0.95
"""A column whose own AUC on the training rows reaches this is an outcome column."""
EPOCH = datetime(2000, 1, 1)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


class ColumnUse(BaseModel):
    """What became of one column of the table, and why."""

    model_config = ConfigDict(extra="forbid")

    column: str
    use: Use
    reason: str = ""


class ScoredRow(BaseModel):
    """An open opportunity of the table, its win probability and why."""

    model_config = ConfigDict(extra="forbid")

    row: str = Field(description="its id (--id, else an identifier column), else its line")
    line: int
    explanation: Explanation


class TableResult(BaseModel):
    """The training report on the table, what each column became, the open rows scored."""

    model_config = ConfigDict(extra="forbid")

    report: ModelReport
    rows: int
    won: int
    lost: int
    open: int
    left_out: int = Field(description="closed rows without a date, left out of the split")
    split_on: str = Field(description="the date column, or 'file order' when none is given")
    columns: list[ColumnUse]
    scored: list[ScoredRow]

    @property
    def excluded(self) -> dict[str, str]:
        """Columns left out as outcome columns, with the reason."""
        return {c.column: c.reason for c in self.columns if c.use == "outcome"}


def parse_number(text: str) -> float | None:
    """A number (thousands separated by commas allowed); None when it is not one."""
    cleaned = text.replace(",", "") if _THOUSANDS.match(text) else text
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def parse_day(text: str) -> datetime | None:
    """An ISO date or date-time as a naive datetime; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=None)


def _kind(values: Sequence[str]) -> Literal["text", "number", "date"]:
    filled = [v for v in values if v]
    if filled and all(parse_number(v) is not None for v in filled):
        return "number"
    if filled and all(parse_day(v) is not None for v in filled):
        return "date"
    return "text"


def _check_names(header: Sequence[str], names: Sequence[str], where: str) -> None:
    unknown = [n for n in names if n not in header]
    if unknown:
        listed = ", ".join(repr(n) for n in unknown)
        raise InvalidInput(
            f"unknown column {listed}; the table has {', '.join(header)}", where=where
        )


def _check_values(found: Counter[str], wanted: Sequence[str], target: str, where: str) -> None:
    if not wanted:
        raise InvalidInput("give at least one value", where=where)
    missing = [w for w in wanted if found[w] == 0]
    if missing:
        seen = ", ".join(f"{v or '(blank)'} ({n:,})" for v, n in found.most_common(12))
        raise InvalidInput(
            f"no row has {target} = {', '.join(repr(m) for m in missing)}; its values are {seen}",
            where=where,
        )


def _outcome_reason(
    column: str, kind: str, cells: dict[str, list[str]], labels: list[bool | None]
) -> str:
    values = cells[column]
    closed = [v for v, y in zip(values, labels, strict=True) if y is not None]
    opened = [v for v, y in zip(values, labels, strict=True) if y is None]
    if len(opened) >= MIN_OPEN_ROWS and closed:
        on_closed = sum(1 for v in closed if v) / len(closed)
        on_open = sum(1 for v in opened if v) / len(opened)
        if on_closed >= FILLED_CLOSED and on_open <= FILLED_OPEN:
            return (
                f"filled on {on_closed:.0%} of closed rows and {on_open:.0%} of open ones: "
                "recorded at the close"
            )
    outcome = [y for y in labels if y is not None]
    separation = _separation(kind, closed, outcome)
    if separation >= SEPARATES:
        return (
            f"tells won from lost almost perfectly on its own (AUC {separation:.2f}): "
            "known only at the outcome"
        )
    return ""


def _separation(kind: str, values: list[str], won: list[bool]) -> float:
    """AUC of one column on its own (either direction), on the closed rows."""
    if len(set(won)) < 2:
        return 0.5
    if kind == "text":
        rates: dict[str, list[int]] = {}
        for value, w in zip(values, won, strict=True):
            pair = rates.setdefault(value, [0, 0])
            pair[0] += int(w)
            pair[1] += 1
        score = np.array([rates[v][0] / rates[v][1] for v in values])
    else:
        parsed = [_as_float(kind, v) for v in values]
        present = [p for p in parsed if p is not None]
        fill = float(np.median(present)) if present else 0.0
        score = np.array([fill if p is None else p for p in parsed])
    auc = float(roc_auc_score(np.asarray(won, dtype=int), score))
    return max(auc, 1.0 - auc)


def _as_float(kind: str, text: str) -> float | None:
    if not text:
        return None
    if kind == "number":
        return parse_number(text)
    day = parse_day(text)
    return (day - EPOCH).total_seconds() / 86400.0 if day is not None else None


def train_table(
    header: Sequence[str],
    rows: Sequence[tuple[int, Mapping[str, str]]],
    *,
    target: str,
    won: Sequence[str],
    lost: Sequence[str],
    date: str | None = None,
    ignore: Sequence[str] = (),
    id_column: str | None = None,
) -> TableResult:
    """Learn a win model from a table of (line, values) rows; score its open rows."""
    _check_names(header, [target], "target")
    _check_names(header, [date] if date else [], "date")
    _check_names(header, list(ignore), "ignore")
    _check_names(header, [id_column] if id_column else [], "id")
    both = sorted(set(won) & set(lost))
    if both:
        raise InvalidInput(f"{', '.join(both)} listed as won and as lost", where="lost")
    cells = {c: [(values.get(c) or "").strip() for _, values in rows] for c in header}
    found = Counter(cells[target])
    _check_values(found, won, target, "won")
    _check_values(found, lost, target, "lost")
    labels: list[bool | None] = [
        True if v in won else False if v in lost else None for v in cells[target]
    ]
    uses = _column_uses(
        header, cells, labels, target=target, date=date, ignore=ignore, id_column=id_column
    )
    if id_column is None:
        id_column = next((u.column for u in uses if u.use == "identifier"), None)
    return _train(header, rows, cells, labels, uses, date=date, id_column=id_column)


def _column_uses(
    header: Sequence[str],
    cells: dict[str, list[str]],
    labels: list[bool | None],
    *,
    target: str,
    date: str | None,
    ignore: Sequence[str],
    id_column: str | None,
) -> list[ColumnUse]:
    uses: list[ColumnUse] = []
    for column in header:
        if column == target:
            uses.append(ColumnUse(column=column, use="target"))
            continue
        if column == id_column:
            uses.append(ColumnUse(column=column, use="row id"))
            continue
        if column in ignore:
            uses.append(ColumnUse(column=column, use="ignored", reason="--ignore"))
            continue
        values = cells[column]
        kind = _kind(values)
        filled = [v for v in values if v]
        if kind == "text" and filled and len(set(filled)) == len(filled):
            uses.append(
                ColumnUse(column=column, use="identifier", reason="a different value on every row")
            )
            continue
        reason = _outcome_reason(column, kind, cells, labels)
        if reason:
            note = f"{reason}; still splits the rows in time" if column == date else reason
            uses.append(ColumnUse(column=column, use="outcome", reason=note))
            continue
        uses.append(ColumnUse(column=column, use=kind))
    if date is not None and next(u for u in uses if u.column == date).use not in {
        "date",
        "outcome",
    }:
        raise InvalidInput(f"column {date!r} does not hold ISO dates (2024-03-01)", where="date")
    return uses


def _train(
    header: Sequence[str],
    rows: Sequence[tuple[int, Mapping[str, str]]],
    cells: dict[str, list[str]],
    labels: list[bool | None],
    uses: list[ColumnUse],
    *,
    date: str | None,
    id_column: str | None,
) -> TableResult:
    kinds = {u.column: u.use for u in uses}
    dates = [c for c in header if kinds[c] == "date"]
    newest = max(
        (d for c in {*dates, *([date] if date else [])} for v in cells[c] if (d := parse_day(v))),
        default=EPOCH,
    )
    values = [_row_values(cells, i, kinds, newest) for i in range(len(rows))]
    when: dict[int | str, datetime] = {}
    closed: list[int] = []
    for i, (line, _) in enumerate(rows):
        if labels[i] is None:
            continue
        moment = parse_day(cells[date][i]) if date else EPOCH + timedelta(seconds=line)
        if moment is not None:
            when[i] = moment
            closed.append(i)
    numeric = [
        f for c in header if kinds[c] in {"number", "date"} for f in _numeric_names(c, kinds)
    ]
    text = [c for c in header if kinds[c] == "text"]
    data = Dataset(
        rows=[values[i] for i in closed],
        won=[bool(labels[i]) for i in closed],
        groups=[*closed],
        closed=when,
        numeric=numeric,
        categorical=text,
        baseline_fields=text,
    )
    check_history(data, what="won or lost rows")
    report, model = train_and_compare(
        data, trained_on=newest if date else None, test_share=TEST_SHARE
    )
    if date is None:
        report = report.model_copy(update={"cut": None})
    return TableResult(
        report=report,
        rows=len(rows),
        won=sum(1 for y in labels if y is True),
        lost=sum(1 for y in labels if y is False),
        open=sum(1 for y in labels if y is None),
        left_out=sum(1 for y in labels if y is not None) - len(closed),
        split_on=date or "file order",
        columns=uses,
        scored=_score_open(model, rows, values, labels, cells, id_column, newest),
    )


def _numeric_names(column: str, kinds: Mapping[str, str]) -> list[str]:
    if kinds[column] == "date":
        return [f"{column} month", f"{column} age"]
    return [column]


def _row_values(
    cells: dict[str, list[str]], index: int, kinds: Mapping[str, str], newest: datetime
) -> dict[str, object]:
    row: dict[str, object] = {}
    for column, kind in kinds.items():
        text = cells[column][index]
        if kind == "text":
            row[column] = text
        elif kind == "number":
            row[column] = parse_number(text) if text else None
        elif kind == "date":
            day = parse_day(text) if text else None
            row[f"{column} month"] = float(day.month) if day else None
            row[f"{column} age"] = (newest - day).total_seconds() / 86400.0 if day else None
    return row


def table_words(newest: datetime) -> Describe:
    """How the features of a table are said: ``product: GTX Basic``, ``engage_date in March``."""

    def describe(feature: str, value: object) -> str:
        amount = number(value) if not isinstance(value, str) else None
        if feature.endswith(" month"):
            column = feature.removesuffix(" month")
            return (
                f"{column} blank"
                if amount is None
                else f"{column} in {calendar.month_name[int(amount)]}"
            )
        if feature.endswith(" age"):
            column = feature.removesuffix(" age")
            if amount is None:
                return f"{column} blank"
            return f"{column} {amount:,.0f} days before {newest:%Y-%m-%d}"
        if isinstance(value, str):
            return f"{feature}: {value or '(blank)'}"
        return f"{feature} blank" if amount is None else f"{feature} {amount:,.6g}"

    return describe


def _score_open(
    model: WinModel,
    rows: Sequence[tuple[int, Mapping[str, str]]],
    values: list[dict[str, object]],
    labels: list[bool | None],
    cells: dict[str, list[str]],
    id_column: str | None,
    newest: datetime,
) -> list[ScoredRow]:
    describe = table_words(newest)
    scored = []
    for i, (line, _) in enumerate(rows):
        if labels[i] is not None:
            continue
        name = cells[id_column][i] if id_column else str(line)
        scored.append(
            ScoredRow(row=name, line=line, explanation=model.explain(values[i], describe))
        )
    return scored


__all__ = ["NotEnoughHistory", "TableResult", "parse_day", "parse_number", "train_table"]
