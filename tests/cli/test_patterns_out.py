"""``dealgraph patterns … --out FILE``: the report's chart saved as HTML, SVG or PNG.

HTML needs nothing but plotly; SVG and PNG need kaleido and a Chromium. The image tests are
marked ``chromium``: they skip on a machine without one, and fail in CI (where
DEALGRAPH_TEST_POSTGRES_URL is set and .ci/run installs Debian's chromium), as the
PostgreSQL tests do.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from dealgraph.store.db import open_database, sqlite_url
from tests.analytics.oracle import LOGS
from tests.cli.conftest import Run, as_json
from tests.conftest import REPO_ROOT
from tests.db_fixtures import POSTGRES_ENV
from tests.factories import make_workspace

RUNNING = LOGS["running_example"]
CHROMIUM = Path("/usr/bin/chromium")
AS_OF = "2026-11-01T00:00:00"
TITLES = {
    "journey": "Journey map",
    "variants": "Variants",
    "funnel": "Funnel and time in stage",
    "conformance": "Conformance: win rate of conforming and deviating deals",
    "channels": "Channel effectiveness: share of touches followed by a stage advance",
    "signals": "Signal lift: loss rate of closed deals where each signal fired",
    "stalls": "Stalls: days in stage of open deals against the stage's history",
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> str:
    """make_workspace's three deals (open, won, lost) in a SQLite file."""
    path = tmp_path_factory.mktemp("patterns-out") / "ws.db"
    database = open_database(sqlite_url(path))
    with database.session() as session:
        make_workspace(session)
    database.dispose()
    return str(path)


@pytest.fixture
def image_tools() -> None:
    """kaleido and Debian's chromium: skip without them, fail when CI requires them."""
    missing = [
        what
        for what, present in (
            ("the kaleido package", importlib.util.find_spec("kaleido") is not None),
            (str(CHROMIUM), CHROMIUM.exists()),
        )
        if not present
    ]
    if not missing:
        return
    message = f"chart images need {' and '.join(missing)}"
    if os.environ.get(POSTGRES_ENV):
        pytest.fail(f"{POSTGRES_ENV} is set (CI) but {message}")
    pytest.skip(message)


def _source(command: str, workspace: str) -> list[str]:
    """The journey and variants read the running example; the other reports the workspace."""
    if command in ("journey", "variants"):
        return ["--log", str(RUNNING)]
    return ["--db", workspace, *(["--as-of", AS_OF] if command == "stalls" else [])]


def plotted(page: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The data and layout handed to ``Plotly.newPlot`` in a saved page."""
    call = page[page.rindex("Plotly.newPlot(") :]
    rest = call[call.index('"dealgraph-chart",') + len('"dealgraph-chart",') :].lstrip()
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(rest)
    layout, _ = decoder.raw_decode(rest[end:].lstrip().removeprefix(",").lstrip())
    return data, layout


@pytest.mark.parametrize("command", list(TITLES))
def test_html_is_one_offline_page_with_a_titled_chart(
    run: Run, workspace: str, tmp_path: Path, command: str
) -> None:
    out = tmp_path / f"{command}.html"
    args = _source(command, workspace)
    result = run("patterns", command, *args, "--out", str(out))
    lines = result.stdout.splitlines()
    assert lines[-1] == f"wrote {out}"
    assert len(lines) > 1  # the table printed first
    page = out.read_text(encoding="utf-8")
    where = f"log {RUNNING}" if "--log" in args else f"workspace {Path(workspace).resolve()}"
    title = TITLES[command].replace("'", "&#x27;")
    assert re.search(rf"<title>{re.escape(title)} — {re.escape(where)}[^<]*</title>", page)
    assert '<div id="dealgraph-chart"' in page
    assert "* plotly.js v" in page  # the library itself, inline
    assert not re.search(r"<script[^>]*\bsrc=", page)  # nothing to fetch when opened
    assert "cdn.plot.ly/plotly" not in page
    data, layout = plotted(page)
    assert data
    assert TITLES[command] in layout["title"]["text"] and where in layout["title"]["text"]
    assert layout["width"] == 1200 and layout["height"] >= 700


def test_the_journey_chart_draws_every_edge_of_the_report(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "journey.html"
    report = as_json(run("patterns", "journey", "--log", str(RUNNING), "--json", "--out", str(out)))
    _data, layout = plotted(out.read_text(encoding="utf-8"))
    drawn = [e for e in report["edges"] if e["source"] != e["target"]]
    assert len(layout["annotations"]) == len(drawn) == 16
    busiest = max(e["count"] for e in drawn)
    # Arrow width grows with the square root of the count: 1 px, up to 8 for the busiest.
    expected = [1 + 7 * math.sqrt(e["count"] / busiest) for e in drawn]
    assert [a["arrowwidth"] for a in layout["annotations"]] == pytest.approx(expected)


def test_charts_hold_the_numbers_of_the_report(run: Run, workspace: str, tmp_path: Path) -> None:
    def chart(command: str, *extra: str) -> tuple[Any, list[dict[str, Any]]]:
        out = tmp_path / f"{command}.html"
        args = _source(command, workspace)
        report = as_json(run("patterns", command, *args, *extra, "--json", "--out", str(out)))
        return report, plotted(out.read_text(encoding="utf-8"))[0]

    variants, data = chart("variants")
    assert sorted(data[0]["x"]) == sorted(v["count"] for v in variants)
    funnel, data = chart("funnel")
    assert data[0]["type"] == "funnel" and data[0]["x"] == [row["reached"] for row in funnel]
    assert data[1]["y"] == [row["median_days"] for row in funnel]
    conformance, data = chart("conformance")
    groups = [conformance["conforming"], conformance["deviating"]]
    # A group without closed deals has no rate: its bar is drawn at 0.
    assert data[0]["x"] == [g["successes"] / g["trials"] if g["trials"] else 0.0 for g in groups]
    channels, data = chart("channels")
    cells = [v for row in data[0]["z"] for v in row if v is not None]
    assert sorted(cells) == sorted(row["advance_share"] for row in channels)
    signals, data = chart("signals")
    assert list(reversed(data[0]["x"])) == [row["loss_rate"] for row in signals]
    stalls, data = chart("stalls")
    assert stalls and data[0]["x"] == [row["days_in_stage"] for row in reversed(stalls)]


def test_json_stays_clean_and_the_note_goes_to_stderr(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "variants.html"
    result = run("patterns", "variants", "--log", str(RUNNING), "--json", "--out", str(out))
    assert len(json.loads(result.stdout)) == 6
    assert result.stderr == f"wrote {out}\n"


def test_a_bad_out_is_refused_before_any_work(run: Run, workspace: str, tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    charts.mkdir()
    pdf = charts / "chart.pdf"
    result = run("patterns", "journey", "--log", str(RUNNING), "--out", str(pdf), code=2)
    assert result.stderr == "error: --out: 'chart.pdf' must end in .html, .svg or .png\n"
    assert result.stdout == ""
    nowhere = charts / "missing" / "funnel.html"
    result = run("patterns", "funnel", "--db", workspace, "--out", str(nowhere), code=2)
    assert result.stderr == f"error: --out: no folder {nowhere.parent} to write funnel.html in\n"
    result = run("patterns", "funnel", "--db", workspace, "--cohort", "seller", "--out",
                 str(charts / "funnel.html"), code=2)  # fmt: skip
    assert result.stderr == (
        "error: --out draws the funnel of all deals together; leave out --cohort to save it\n"
    )
    assert list(charts.iterdir()) == []


def test_no_chromium_is_one_clear_line_and_no_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if importlib.util.find_spec("kaleido") is None:
        pytest.skip("without kaleido the command names kaleido, not Chromium")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-browser"))
    png = tmp_path / "journey.png"
    result = run("patterns", "journey", "--log", str(RUNNING), "--out", str(png), code=2)
    assert result.stderr == (
        f"error: --out: .png and .svg files need Chromium (BROWSER_PATH={tmp_path / 'no-browser'}"
        " is not a file): install the chromium package or set BROWSER_PATH; .html needs nothing\n"
    )
    assert result.stdout == "" and not png.exists()


@pytest.mark.chromium
def test_png_is_an_image_of_the_file_size(
    image_tools: None, run: Run, workspace: str, tmp_path: Path
) -> None:
    out = tmp_path / "funnel.png"
    result = run("patterns", "funnel", "--db", workspace, "--out", str(out))
    assert result.stdout.splitlines()[-1] == f"wrote {out}"
    image = out.read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and image[12:16] == b"IHDR"
    width, height = struct.unpack(">II", image[16:24])
    assert width == 1200 and 700 <= height <= 1200


@pytest.mark.chromium
def test_svg_parses_and_holds_the_title(image_tools: None, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "journey.svg"
    run("patterns", "journey", "--log", str(RUNNING), "--top", "5", "--out", str(out))
    root = ET.fromstring(out.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "1200"
    texts = "".join(root.itertext())
    assert "Journey map" in texts and "check ticket" in texts


@pytest.mark.chromium
def test_a_log_option_on_the_command_line_does_not_upset_kaleido(image_tools: None) -> None:
    """kaleido's logging helper parses sys.argv on import and exits on a prefix such as --log."""
    probe = (
        "import sys\n"
        "sys.argv = ['dealgraph', 'patterns', 'journey', '--log', 'x.xes', '--out', 'x.svg']\n"
        "from pathlib import Path\n"
        "from dealgraph.charts.files import check_chart_path\n"
        "print(check_chart_path(Path('x.svg')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "svg\n"


def test_a_large_journey_chart_keeps_the_most_frequent_edges(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "journey.html"
    report = as_json(
        run("patterns", "journey", "--log", str(LOGS["receipt"]), "--json", "--out", str(out))
    )
    assert len(report["edges"]) > 40  # the report keeps them all; the diagram does not
    _data, layout = plotted(out.read_text(encoding="utf-8"))
    kept = [e for e in report["edges"][:40] if e["source"] != e["target"]]
    assert len(layout["annotations"]) == len(kept)
    assert f"edges 40 most frequent of {len(report['edges'])}" in layout["title"]["text"]
