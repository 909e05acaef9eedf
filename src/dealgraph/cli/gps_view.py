"""Rich rendering of a deal's GPS and signals for people."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dealgraph.cli.common import console

SEVERITY_MARK = {"critical": "!!", "warning": "! ", "info": "i "}


def bar(fraction: float, width: int = 30) -> str:
    """A text progress bar: ``[#########.....] 62%``."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction:.0%}"


def show_gps(report: dict[str, Any], *, deal_title: str) -> None:
    """Print a GPS report (the JSON shape of ``GpsReport``)."""
    out = console.print
    out(f"Deal {report['deal_id']}: {deal_title}", markup=False)
    out(
        f"Stage {report['stage_index'] + 1}: {report['stage_title']} ({report['stage']}), "
        f"{report['days_in_stage']} days in stage",
        markup=False,
    )
    out(f"Progress {bar(report['progress'])}", markup=False)
    missing = report.get("missing_criteria") or []
    if missing:
        out("To leave this stage the buyer still needs:", markup=False)
        for item in missing:
            out(f"  - {item['title']} ({item['key']})", markup=False)
    route = report.get("route") or []
    if route:
        out("Route: " + " -> ".join(step["title"] for step in route), markup=False)
    eta = report.get("eta")
    if eta:
        line = f"ETA: P50 {eta['p50']}, P90 {eta['p90']}"
        if eta.get("expected_close"):
            line += f"; expected close {eta['expected_close']} (P(on time) {eta['p_on_time']:.0%})"
        out(line, markup=False)
    path = report.get("critical_path") or []
    if path:
        out(
            f"Critical path of open decisions ({report.get('critical_path_days', 0)} days):",
            markup=False,
        )
        for step in path:
            out(
                f"  - {step['title']} ({step['days']} d, cumulative {step['cumulative_days']} d)",
                markup=False,
            )
    plays = report.get("next_plays") or []
    if plays:
        table = Table("play", "channel", "produces", "questions to ask", title="Next best plays")
        for play in plays:
            table.add_row(
                f"{play['title']}\n({play['key']})",
                f"{play['suggested_channel']}\n{_track_record(play)}",
                "\n".join(c["title"] for c in play.get("criteria", [])),
                "\n".join(f"- {q}" for q in play.get("questions", [])),
            )
        console.print(table)
    for gap in report.get("missing_roles") or []:
        out(f"Missing roles for '{gap['title']}': {', '.join(gap['roles'])}", markup=False)
    for gap in report.get("level_gaps") or []:
        out(
            f"Level gap on '{gap['title']}': needs level {gap['needed_level']}, "
            f"highest engaged {gap['highest_engaged_level'] or 'none'}",
            markup=False,
        )
    for item in report.get("contingencies") or []:
        out(f"Contingency: {item['advice']}", markup=False)
    show_signals(report.get("signals") or [])


def _track_record(play: dict[str, Any]) -> str:
    """How the suggested channel has done for this play: ``54% of 209`` or ``no history``."""
    if not play["attempts"]:
        return "no history"
    return f"{play['advanced'] / play['attempts']:.0%} of {play['attempts']}"


def show_signals(signals: list[dict[str, Any]]) -> None:
    """Print signals, most severe first, each with its advice."""
    if not signals:
        console.print("No signals.", markup=False)
        return
    table = Table("", "signal", "what we see", "advice", title="Signals")
    for signal in signals:
        table.add_row(
            SEVERITY_MARK.get(signal["severity"], "  "),
            f"{signal['title']}\n({signal['key']})",
            signal["message"],
            signal["advice"],
        )
    console.print(table)
