"""Rich rendering of a playbook for people (``dealgraph playbook show``)."""

from __future__ import annotations

from rich.table import Table

from dealgraph.cli.common import console
from dealgraph.core.levels import stratum
from dealgraph.core.playbook.schema import Playbook


def show_playbook(playbook: Playbook) -> None:
    """Print the journey, the criteria, plays, decision template and signals."""
    console.print(f"{playbook.title}  ({playbook.key}, version {playbook.version})", markup=False)
    if playbook.description:
        console.print(playbook.description.strip(), markup=False)
    journey = Table(
        "#",
        "stage",
        "buyer's goal",
        "exit criteria",
        "p50/p90 days",
        "level",
        "next",
        title="Journey",
    )
    for index, stage in enumerate(playbook.stages, start=1):
        journey.add_row(
            str(index),
            f"{stage.title}\n({stage.key})" + ("\n[won]" if stage.end == "won" else ""),
            stage.goal,
            "\n".join(stage.exit) or "-",
            f"{stage.duration.p50:g} / {stage.duration.p90:g}",
            stratum(stage.level).numeral,
            ", ".join(stage.next) or "-",
        )
    console.print(journey)
    plays = Table("play", "stage", "channels", "produces", "questions", "hours", title="Plays")
    for play in playbook.plays:
        plays.add_row(
            f"{play.title}\n({play.key})",
            play.stage or "-",
            ", ".join(play.channels),
            "\n".join(play.outcome) or "-",
            "\n".join(f"- {q}" for q in play.questions) or "-",
            f"{play.effort_hours:g}",
        )
    console.print(plays)
    decisions = Table(
        "decision", "stage", "requires", "level", "roles", "days", title="Decision template"
    )
    for decision in playbook.decisions:
        decisions.add_row(
            f"{decision.title}\n({decision.key})",
            decision.stage,
            ", ".join(decision.requires) or "-",
            stratum(decision.level).numeral,
            ", ".join(decision.roles) or "-",
            str(decision.days),
        )
    console.print(decisions)
    if playbook.signals:
        signals = Table("signal", "severity", "when", "advice", title="Signals")
        for signal in playbook.signals:
            signals.add_row(signal.key, signal.severity, signal.when, signal.advice)
        console.print(signals)
