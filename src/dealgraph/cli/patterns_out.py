"""``--out FILE.html|.svg|.png`` on the ``patterns`` commands: the report's chart, saved.

A command checks the path before any work (``check_out``: suffix, folder, and Chromium for
an image), prints its table or JSON, then saves the figure the Patterns page draws for the
same report (``save_chart``). The ``*_chart`` functions turn a command's own results into
the services' panel models and hand them to ``dealgraph.charts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dealgraph.cli.common import console, err_console

if TYPE_CHECKING:
    import pyarrow as pa

    from dealgraph.analytics.conformance import ConformanceReport
    from dealgraph.analytics.journey import JourneyMap
    from dealgraph.analytics.variants import Variant
    from dealgraph.charts import Figure
    from dealgraph.core.playbook.schema import Playbook

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Also save the chart: .html (self-contained, opens offline), .svg or .png "
        "(these need Chromium: the chromium package or BROWSER_PATH).",
        show_default=False,
    ),
]
# Bars the variants chart shows when --top does not say (as many as the Patterns page).
CHART_VARIANTS = 15
# Arrows the journey diagram draws when --top does not say (as many as the Patterns page):
# past a few dozen the diagram is a hairball; the subtitle says how many were left out.
CHART_EDGES = 40


def check_out(out: Path | None) -> None:
    """Refuse a bad ``--out`` (suffix, folder, no Chromium for an image) before any work."""
    if out is not None:
        from dealgraph.charts.files import check_chart_path

        check_chart_path(out)


def source_of(db: str | None, log: Path | str | None) -> str:
    """What a report was computed over, for the chart's subtitle."""
    if log is not None:
        return f"log {log}"
    from dealgraph.cli.common import database_url, describe_url

    return f"workspace {describe_url(database_url(db))}"


def save_chart(
    out: Path | None,
    figure: Figure,
    *,
    chart: str,
    source: str,
    filters: Mapping[str, object | None],
    as_json: bool,
) -> None:
    """Write the chart to ``out`` and say so: last line on stdout, or stderr beside ``--json``."""
    if out is None:
        return
    from dealgraph.charts.files import write_chart

    given = " · ".join(f"{name} {value}" for name, value in filters.items() if value is not None)
    write_chart(out, figure, title=chart, subtitle=" · ".join(p for p in (source, given) if p))
    (err_console if as_json else console).print(f"wrote {out}", markup=False)


def _playbook(key: str) -> Playbook:
    from dealgraph.services.playbooks import show_playbook

    return show_playbook(key)


def stage_titles(playbook: Playbook) -> dict[str, str]:
    """Stage key -> title in ``playbook``."""
    return {stage.key: stage.title for stage in playbook.stages}


def journey_chart(found: JourneyMap, *, total_edges: int, playbook_key: str) -> Figure:
    """The journey diagram: the playbook's stages on the top row when the log has them.

    At most ``CHART_EDGES`` arrows, the most frequent, unless ``found`` was cut already.
    """
    from dealgraph.charts.journey import journey_backbone, journey_figure
    from dealgraph.services.patterns_view import JourneyPanel

    book = _playbook(playbook_key)
    stages = journey_backbone(found, book.journey_order)
    panel = JourneyPanel(
        deals=found.cases,
        level="activities",
        stages=stages,
        anchors={play.key: play.stage for play in book.plays if play.stage in stages},
        total_edges=total_edges,
        journey=found if len(found.edges) <= CHART_EDGES else found.top(CHART_EDGES),
    )
    return journey_figure(panel)


def variants_chart(found: Sequence[Variant], *, top: int | None) -> Figure:
    """Bars of the ``top`` (else ``CHART_VARIANTS``) most frequent variants, by win rate."""
    from dealgraph.charts.patterns import variants_figure
    from dealgraph.services.patterns_view import VariantsPanel

    panel = VariantsPanel(
        deals=sum(v.count for v in found),
        total=len(found),
        variants=list(found[: top or CHART_VARIANTS]),
    )
    return variants_figure(panel)


def funnel_chart(
    rows: Sequence[Mapping[str, Any]], *, stages: Sequence[str], titles: Mapping[str, str]
) -> Figure:
    """The funnel above the time in stage; every stage listed, reached or not."""
    from dealgraph.charts.patterns import funnel_report_figure
    from dealgraph.services.patterns_view import FunnelPanel, FunnelStage

    reached = {row["stage"]: row for row in rows}
    panel_stages = []
    for index, key in enumerate(stages):
        row = reached.get(key, {})
        panel_stages.append(
            FunnelStage(
                stage=key,
                title=titles.get(key, key),
                stage_index=index,
                reached=int(row.get("reached") or 0),
                conversion=row.get("conversion"),
                visits=int(row.get("visits") or 0),
                median_days=row.get("median_days"),
                p90_days=row.get("p90_days"),
            )
        )
    deals = panel_stages[0].reached if panel_stages else 0
    return funnel_report_figure(FunnelPanel(deals=deals, stages=panel_stages))


def conformance_chart(report: ConformanceReport) -> Figure:
    """Win rate of closed conforming vs deviating deals, with their intervals."""
    from dealgraph.charts.patterns import conformance_figure
    from dealgraph.services.patterns_view import ConformancePanel

    deviating = sorted((c for c in report.cases if c.fitness < 1), key=lambda c: c.fitness)
    panel = ConformancePanel(
        deals=len(report.cases),
        conforming_deals=len(report.cases) - len(deviating),
        deviating_deals=len(deviating),
        conforming=report.conforming,
        deviating=report.deviating,
        least_conforming=deviating,
    )
    return conformance_figure(panel)


def channels_chart(
    rows: Sequence[Mapping[str, Any]],
    *,
    stages: Sequence[str],
    titles: Mapping[str, str],
    within_days: float,
) -> Figure:
    """The channel × stage heatmap of the share of touches followed by an advance."""
    from dealgraph.charts.patterns import channel_heatmap_figure
    from dealgraph.services.patterns_view import ChannelRow, ChannelsPanel

    panel = ChannelsPanel(
        within_days=within_days,
        rows=[ChannelRow(title=titles.get(row["stage"], row["stage"]), **row) for row in rows],
    )
    return channel_heatmap_figure(panel, [(key, titles.get(key, key)) for key in stages])


def signals_chart(rows: Sequence[Mapping[str, Any]], *, cases: pa.Table) -> Figure:
    """Loss rate per signal with intervals, against the base loss rate of closed deals."""
    from dealgraph.analytics.lift import CLOSED_STATUSES, LOSS_STATUSES
    from dealgraph.charts.patterns import signal_lift_figure
    from dealgraph.core.signals_builtin import BUILTIN_SIGNALS
    from dealgraph.services.patterns_view import SignalRow, SignalsPanel

    names = {signal.key: signal.title for signal in BUILTIN_SIGNALS}
    statuses = cases.column("status").to_pylist()
    closed = sum(1 for status in statuses if status in CLOSED_STATUSES)
    lost = sum(1 for status in statuses if status in LOSS_STATUSES)
    panel = SignalsPanel(
        closed_deals=closed,
        base_loss_rate=lost / closed if closed else None,
        rows=[
            SignalRow(title=names.get(row["signal"], row["signal"].replace("_", " ")), **row)
            for row in rows
        ],
    )
    return signal_lift_figure(panel)


def stalls_chart(rows: Sequence[Mapping[str, Any]], *, titles: Mapping[str, str]) -> Figure:
    """Days each listed open deal has sat in its stage, against the stage's median and p90."""
    from dealgraph.charts.patterns import stalls_figure

    return stalls_figure(rows, titles)
