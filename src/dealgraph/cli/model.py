"""``dealgraph model train|evaluate|explain``: the win-probability model of the workspace.

``model train --table FILE`` learns from any opportunities CSV instead (nothing is stored).
scikit-learn and the store are imported inside the commands so ``dealgraph --help`` stays fast.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dealgraph.cli.common import DbOption, JsonOption, abort, console, print_json

if TYPE_CHECKING:
    from dealgraph.planning.evaluation import Metrics
    from dealgraph.planning.tabular import TableResult
    from dealgraph.planning.win_model import Explanation, ModelReport
    from dealgraph.services.win_model import Scored

app = typer.Typer(
    help="The win-probability model: train it on closed deals, judge it, explain a deal.",
    no_args_is_help=True,
)

MODELS = ("logistic", "boosting", "baseline")
NAMES = {
    "logistic": "logistic regression",
    "boosting": "gradient boosting",
    "baseline": "naive-Bayes baseline",
}
SHOWN_ROWS = 5

AsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        help="Use only what was known at this time (default: now, UTC).",
        show_default=False,
    ),
]


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _metrics_table(report: ModelReport) -> Table:
    table = Table(title="Held-out deals", title_justify="left")
    for heading in ("model", "AUC", "Brier", "rows", "won"):
        table.add_column(heading, justify="left" if heading == "model" else "right")
    for key in MODELS:
        m = report.metrics[key]
        name = NAMES[key] + (" (kept)" if key == report.kind else "")
        table.add_row(
            name, _number(m.auc), _number(m.brier, 4), f"{m.rows:,}", _percent(m.won_share)
        )
    return table


def _summary(report: ModelReport, *, split_on: str | None = None) -> list[str]:
    """What was learned from and judged on, and the verdict; ``split_on`` for a table."""
    kept = report.metrics[report.kind]
    base = report.metrics["baseline"]
    verdict = "beats" if report.beats_baseline else "does not beat"
    if split_on is None:
        learned = f"{report.deals_train:,} deals ({report.rows_train:,} snapshot rows)"
        cut = f"{report.cut:%Y-%m-%d}" if report.cut else "-"
        judged = f"{report.deals_test:,} deals closed from {cut} ({report.rows_test:,} rows)"
    else:
        learned = f"{report.rows_train:,} rows"
        where = (
            f"with {split_on} from {report.cut:%Y-%m-%d}"
            if report.cut
            else "at the end of the file"
        )
        judged = f"{report.rows_test:,} rows {where}"
    lines = [
        f"Learned from {learned}; judged on {judged}.",
        f"Kept: {NAMES[report.kind]}, which {verdict} the baseline "
        f"(AUC {_number(kept.auc)} vs {_number(base.auc)}, "
        f"Brier {_number(kept.brier, 4)} vs {_number(base.brier, 4)}).",
    ]
    if report.id is not None:
        lines.append(f"Stored as model {report.id}; it is the one in use.")
    return lines


def _calibration_table(metrics: Metrics, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for heading in ("decile", "predicted", "observed", "rows"):
        table.add_column(heading, justify="right")
    for index, row in enumerate(metrics.calibration, start=1):
        table.add_row(str(index), _percent(row.predicted), _percent(row.observed), f"{row.count:,}")
    return table


def _factor_lines(explanation: Explanation) -> list[str]:
    lines = ["Raises it:"] + [f"  {f.said}" for f in explanation.up]
    if not explanation.up:
        lines.append("  nothing stands out")
    lines += ["Lowers it:"] + [f"  {f.said}" for f in explanation.down]
    if not explanation.down:
        lines.append("  nothing stands out")
    return lines


@app.command("train")
def train_command(
    as_of: AsOf = None,
    table: Annotated[
        Path | None,
        typer.Option(
            "--table",
            help="Learn from this opportunities CSV instead of the workspace (nothing is stored).",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target", help="--table: the column holding the outcome.", show_default=False
        ),
    ] = None,
    won: Annotated[
        list[str] | None,
        typer.Option("--won", help="--table: a target value meaning won.", show_default=False),
    ] = None,
    lost: Annotated[
        list[str] | None,
        typer.Option("--lost", help="--table: a target value meaning lost.", show_default=False),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="--table: the ISO date column that orders rows in time (default: file order).",
            show_default=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="--table: a column to leave out.", show_default=False),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option("--id", help="--table: the column naming each row.", show_default=False),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Train logistic regression and gradient boosting, judge both and the baseline, keep one."""
    if table is not None:
        if as_of is not None:
            abort("--as-of is for the workspace; a table is ordered by --date")
        if target is None or not won or not lost:
            abort("--table needs --target, --won and --lost")
        _train_table(table, target, won, lost, date, ignore or [], id_column, as_json)
        return
    if any(v for v in (target, won, lost, date, ignore, id_column)):
        abort("--target, --won, --lost, --date, --ignore and --id go with --table")
    from dealgraph.cli.common import workspace_session
    from dealgraph.services import win_model

    with workspace_session(db) as session:
        report = win_model.train(session, as_of=as_of)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(_metrics_table(report))
    for line in _summary(report):
        console.print(line, markup=False)


def _train_table(
    path: Path,
    target: str,
    won: list[str],
    lost: list[str],
    date: str | None,
    ignore: list[str],
    id_column: str | None,
    as_json: bool,
) -> None:
    from dealgraph.services.win_model import train_table_file

    result = train_table_file(
        path, target=target, won=won, lost=lost, date=date, ignore=ignore, id_column=id_column
    )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_table_result(result)


def _print_table_result(result: TableResult) -> None:
    console.print(
        f"{result.rows:,} rows: {result.won:,} won, {result.lost:,} lost, {result.open:,} open"
        + (f", {result.left_out:,} closed without a date left out" if result.left_out else "")
        + f"; split on {result.split_on}.",
        markup=False,
    )
    for column in result.columns:
        if column.use in {"outcome", "identifier", "ignored"}:
            console.print(f"Left out {column.column}: {column.reason}", markup=False)
    console.print(_metrics_table(result.report))
    for line in _summary(result.report, split_on=result.split_on):
        console.print(line, markup=False)
    if result.scored:
        console.print(f"Open rows scored: {len(result.scored):,} (--json lists them all).")
    for row in result.scored[:SHOWN_ROWS]:
        console.print(f"{row.row}: {_percent(row.explanation.probability)}", markup=False)
        for line in _factor_lines(row.explanation):
            console.print(f"  {line}", markup=False)


@app.command("evaluate")
def evaluate_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The kept model's held-out metrics and calibration table, beside the baseline's."""
    from dealgraph.cli.common import workspace_session
    from dealgraph.services import win_model

    with workspace_session(db) as session:
        report = win_model.evaluate(session)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(_metrics_table(report))
    for line in _summary(report):
        console.print(line, markup=False)
    title = f"Calibration of the {NAMES[report.kind]} (held-out rows by decile of prediction)"
    console.print(_calibration_table(report.metrics[report.kind], title))


@app.command("explain")
def explain_command(
    deal_id: Annotated[int, typer.Argument(help="Deal id (see `dealgraph deal list`).")],
    as_of: AsOf = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One open deal's win probability and the factors that raise and lower it, in words."""
    from dealgraph.cli.common import workspace_session
    from dealgraph.services import win_model

    with workspace_session(db) as session:
        scored = win_model.explain(session, deal_id, as_of=as_of)
    if as_json:
        print_json(scored.model_dump(mode="json"))
        return
    _print_scored(scored)


def _print_scored(scored: Scored) -> None:
    model = f"model {scored.model_id}" if scored.model_id is not None else "a model trained"
    trained = f" on history to {scored.trained_on:%Y-%m-%d}" if scored.trained_on else ""
    console.print(
        f"Deal {scored.deal_id} ({scored.title}): win probability "
        f"{_percent(scored.probability)} as of {scored.as_of:%Y-%m-%d}",
        markup=False,
    )
    console.print(f"From {model} ({NAMES[scored.model_kind]}){trained}.", markup=False)
    for line in _factor_lines(scored.explanation):
        console.print(line, markup=False)
