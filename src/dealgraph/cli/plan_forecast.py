"""``dealgraph plan forecast|backtest``: the Monte Carlo forecast of a period and its backtest.

Registered on the ``plan`` group by ``register(app)``. numpy, scipy and the store are
imported inside the commands so ``dealgraph --help`` stays fast.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from dealgraph.cli.common import DbOption, JsonOption, abort, console, money, print_json
from dealgraph.cli.common import now as clock

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dealgraph.planning.backtest import Backtest
    from dealgraph.planning.forecast import Forecast
    from dealgraph.planning.period import Period
    from dealgraph.services.win_model import Scored

BAR_WIDTH = 30

Trials = Annotated[int, typer.Option("--trials", help="Monte Carlo trials (1 to 1,000,000).")]
Seed = Annotated[
    int, typer.Option("--seed", help="Seed of the Monte Carlo (same seed, same result).")
]
Currency = Annotated[
    str | None,
    typer.Option(
        "--currency",
        help="Forecast deals in this currency only (default: the open pipeline's commonest).",
        show_default=False,
    ),
]
AsOf = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        help="Forecast as of this time, using only what was known then (default: now, UTC).",
        show_default=False,
    ),
]


def _deals(count: int) -> str:
    return f"{count:,} deal" if count == 1 else f"{count:,} deals"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _period(
    text: str | None, start: datetime | None, end: datetime | None, as_of: datetime
) -> Period:
    from dealgraph.planning.period import parse_period, period_between, quarter_of

    if text is not None and (start is not None or end is not None):
        abort("give --period or --from/--to, not both")
    if text is not None:
        return parse_period(text)
    if (start is None) != (end is None):
        abort("--from and --to go together: give both")
    if start is not None and end is not None:
        return period_between(start.date(), end.date())
    return quarter_of(as_of.date())


def _histogram_lines(forecast: Forecast) -> list[str]:
    dist = forecast.distribution
    marks = {"P10": dist.p10, "P50": dist.p50, "P90": dist.p90}
    if dist.quota is not None:
        marks["quota"] = dist.quota
    bins = dist.histogram
    tallest = max(b.share for b in bins) or 1.0
    lines = []
    for index, bin_ in enumerate(bins):
        last = index == len(bins) - 1
        here = [
            name
            for name, value in marks.items()
            if bin_.low <= value < bin_.high or (last and value == bin_.high)
        ]
        bar = "#" * round(BAR_WIDTH * bin_.share / tallest)
        label = f"{money(bin_.low)} – {money(bin_.high)}"
        tail = f"  <- {', '.join(here)}" if here else ""
        lines.append(f"  {label:>25} {bar:<{BAR_WIDTH}} {_percent(bin_.share):>6}{tail}")
    return lines


def _print_forecast(forecast: Forecast) -> None:
    cur = forecast.currency
    dist = forecast.distribution
    period = forecast.period
    span = f"{period.start}..{period.end}"
    named = span if period.label == span else f"{period.label} ({span})"
    console.print(
        f"Forecast of {named} in {cur}, as of {forecast.as_of:%Y-%m-%d %H:%M}", markup=False
    )
    notes = [f"{_deals(forecast.open_deals)} open in {cur}"]
    if forecast.other_currency_deals:
        notes.append(f"{_deals(forecast.other_currency_deals)} in other currencies left out")
    if forecast.undated_closed_deals:
        notes.append(
            f"{_deals(forecast.undated_closed_deals)} closed without a close date left out"
        )
    console.print("; ".join(notes), markup=False)
    if forecast.unvalued_deals:
        console.print(
            f"{_deals(forecast.unvalued_deals)} open with no value (0): they book nothing",
            markup=False,
        )
    if forecast.from_creation_deals:
        console.print(
            f"{_deals(forecast.from_creation_deals)} without a stage history: timed from "
            "creation at the win rate of every closed deal (as start-stage deals)",
            markup=False,
        )
    console.print(
        f"Already won in the period: {money(forecast.already_won, cur)} "
        f"({_deals(forecast.already_won_deals)})",
        markup=False,
    )
    console.print(f"\nBookings ({dist.trials:,} trials, seed {dist.seed})", markup=False)
    console.print(
        f"  Expected  {money(dist.expected, cur):>18}   "
        f"(Monte Carlo mean {money(dist.mc_mean)} ± {money(dist.standard_error)})",
        markup=False,
    )
    for name, value in (("P10", dist.p10), ("P50", dist.p50), ("P90", dist.p90)):
        console.print(f"  {name:<8}  {money(value, cur):>18}", markup=False)
    if dist.quota is not None:
        console.print(
            f"  P(quota)  {_percent(dist.p_quota):>18}   (quota {money(dist.quota, cur)})",
            markup=False,
        )
    console.print("", markup=False)
    for line in _histogram_lines(forecast):
        console.print(line, markup=False)
    _print_categories(forecast)
    _print_gap(forecast)
    _print_basis(forecast)
    _print_drivers(forecast)


def _print_categories(forecast: Forecast) -> None:
    cur = forecast.currency
    table = Table(
        title=f"Categories in {cur} (p = P(win) x P(close in the period))", title_justify="left"
    )
    for heading in ("Category", "Rule", "Deals", "Value", "Expected"):
        table.add_column(heading, justify="left" if heading in ("Category", "Rule") else "right")
    for row in forecast.categories:
        table.add_row(
            row.name.replace("_", " "),
            row.rule,
            str(row.deals),
            money(row.value),
            money(row.expected),
        )
    console.print(table)


def _print_gap(forecast: Forecast) -> None:
    cur = forecast.currency
    if forecast.gap is None:
        console.print("No quota given: no gap or pipeline needed (use --quota).", markup=False)
        return
    if forecast.gap <= 0:
        console.print(
            f"Ahead of quota at P50 by {money(-forecast.gap, cur)} (P50 - quota).", markup=False
        )
        return
    console.print(f"Gap to quota (quota - P50): {money(forecast.gap, cur)}", markup=False)
    need = forecast.pipeline_needed
    if need is None or need.value is None or need.win_rate is None:
        console.print("Pipeline needed: no won deal in the history to size it.", markup=False)
        return
    size = (
        f" (about {_deals(need.deals)} of {money(need.average_deal, cur)})"
        if need.deals is not None and need.average_deal is not None
        else ""
    )
    console.print(
        f"New pipeline needed: {money(need.value, cur)}{size} at a "
        f"{_percent(need.win_rate)} win rate",
        markup=False,
    )
    if need.create_by is not None and need.cycle_days is not None:
        verdict = "already late" if need.late else "still in time"
        console.print(
            f"  created by {need.create_by} (period end - median cycle of "
            f"{need.cycle_days:.0f} days): {verdict}",
            markup=False,
        )


def _print_basis(forecast: Forecast) -> None:
    for stage in forecast.stages:
        if stage.pooled_with:
            console.print(
                f"Stage {stage.stage}: thin history, pooled with {', '.join(stage.pooled_with)} "
                f"({stage.history_deals} deals)",
                markup=False,
            )
    if forecast.beyond_history:
        count = forecast.beyond_history
        console.print(
            f"Stalled: {_deals(count)} in the stage longer than any deal of the stage's "
            "history took to close, so P(close) = 0.",
            markup=False,
        )


def _print_drivers(forecast: Forecast) -> None:
    if not forecast.drivers:
        return
    table = Table(
        title="Deals driving the outcome, by share of the variance "
        f"(values in {forecast.currency})",
        title_justify="left",
    )
    table.add_column("Deal", justify="right")
    table.add_column("Title", max_width=30, no_wrap=True, overflow="ellipsis")
    table.add_column("Stage", no_wrap=True)
    for heading in ("Value", "P(win)", "P(close)", "p", "Expected", "Share"):
        table.add_column(heading, justify="right")
    for row in forecast.drivers:
        table.add_row(
            str(row.deal_id),
            row.title,
            row.stage,
            money(row.value),
            _percent(row.p_win),
            _percent(row.p_close),
            _percent(row.probability),
            money(row.expected),
            _percent(row.variance_share),
        )
    console.print(table)


def forecast_command(
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Period: a quarter (2027Q1), a year (2027) or a month (2027-03) "
            "(default: the quarter of --as-of).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            "--from", help="First day of the period.", formats=["%Y-%m-%d"], show_default=False
        ),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option(
            "--to", help="Last day of the period.", formats=["%Y-%m-%d"], show_default=False
        ),
    ] = None,
    quota: Annotated[
        float | None,
        typer.Option("--quota", help="Bookings target of the period.", show_default=False),
    ] = None,
    trials: Trials = 10_000,
    seed: Seed = 7,
    as_of: AsOf = None,
    currency: Currency = None,
    commit: Annotated[
        float, typer.Option("--commit", help="Commit: deals with p at least this.")
    ] = 0.7,
    best_case: Annotated[
        float, typer.Option("--best-case", help="Best case: deals with p at least this.")
    ] = 0.3,
    top: Annotated[int, typer.Option("--top", min=0, help="Deals to list as drivers.")] = 10,
    model: Annotated[
        bool,
        typer.Option(
            "--model",
            help="Take each open deal's P(win) from the win model instead of the stage history.",
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Monte Carlo forecast of a period's bookings: P10/P50/P90, P(quota), gap, pipeline needed."""
    from pydantic import ValidationError

    from dealgraph.cli.common import workspace_session
    from dealgraph.planning.forecast import Thresholds
    from dealgraph.services.forecast import forecast_period

    moment = as_of or clock()
    chosen = _period(period, start, end, moment)
    try:
        thresholds = Thresholds(commit=commit, best_case=best_case)
    except ValidationError as exc:
        abort(f"--commit/--best-case: {exc.errors()[0]['msg']}")
    with workspace_session(db) as session:
        p_win, model_line = None, ""
        if model:
            from dealgraph.services.win_model import win_probabilities

            scored = win_probabilities(session, as_of=moment)
            p_win = {deal_id: s.probability for deal_id, s in scored.items()}
            model_line = _model_line(scored)
        result = forecast_period(
            session,
            period=chosen,
            p_win=p_win,
            quota=quota,
            trials=trials,
            seed=seed,
            as_of=moment,
            currency=currency,
            thresholds=thresholds,
            top=top,
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_forecast(result)
    if model_line:
        console.print(model_line, markup=False)


def _model_line(scored: Mapping[int, Scored]) -> str:
    """Which model gave the open deals' P(win) (``--model``)."""
    if not scored:
        return "P(win) from the win model: no open deals to score"
    first = next(iter(scored.values()))
    trained = f"{first.trained_on:%Y-%m-%d}" if first.trained_on is not None else "—"
    return (
        f"P(win) from the win model ({first.model_kind}, trained on history to {trained}) "
        f"for {_deals(len(scored))}"
    )


def _print_backtest(result: Backtest) -> None:
    cur = result.currency
    table = Table(
        title=f"Backtest in {cur}: each quarter forecast as of its first day "
        f"({result.trials:,} trials, seed {result.seed})",
        title_justify="left",
    )
    headings = ("Period", "Open", "History", "P10", "P50", "P90", "Actual", "All won", "Inside")
    for heading in (*headings, "Error"):
        table.add_column(heading, justify="left" if heading == "Period" else "right", no_wrap=True)
    for row in result.periods:
        table.add_row(
            row.period.label,
            str(row.open_deals),
            str(row.history_deals),
            money(row.p10),
            money(row.p50),
            money(row.p90),
            money(row.actual_from_pipeline),
            money(row.actual),
            "yes" if row.inside_band else "no",
            _percent(row.error),
        )
    if result.periods:
        console.print(table)
    console.print(
        "Actual: won deals that were open at the period's start (what the forecast covers); "
        "All won: every deal won in the period.",
        markup=False,
    )
    inside = sum(r.inside_band for r in result.periods)
    console.print(
        f"Inside P10–P90: {inside} of {len(result.periods)} periods "
        f"({_percent(result.inside_band_share)}); mean absolute error of P50: "
        f"{_percent(result.mean_absolute_error)}",
        markup=False,
    )
    if result.skipped:
        console.print(
            f"Skipped (fewer than {result.min_history} closed deals, or no win, before the "
            f"start): {', '.join(result.skipped)}",
            markup=False,
        )


def backtest_command(
    periods: Annotated[
        int, typer.Option("--periods", help="Whole quarters to backtest, the latest last.")
    ] = 4,
    trials: Trials = 10_000,
    seed: Seed = 7,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="Backtest the whole quarters that ended by this time (default: now, UTC).",
            show_default=False,
        ),
    ] = None,
    currency: Currency = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast past quarters as of their first day and compare with what was booked."""
    from dealgraph.cli.common import workspace_session
    from dealgraph.services.forecast import backtest_quarters

    with workspace_session(db) as session:
        result = backtest_quarters(
            session,
            periods=periods,
            trials=trials,
            seed=seed,
            as_of=as_of or clock(),
            currency=currency,
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    _print_backtest(result)


def register(app: typer.Typer) -> None:
    """Add ``forecast`` and ``backtest`` to the ``plan`` group."""
    app.command("forecast")(forecast_command)
    app.command("backtest")(backtest_command)
