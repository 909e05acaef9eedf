"""Save a figure to a file: a self-contained HTML page, or an SVG or PNG drawn by Chromium.

The HTML page carries plotly.js inline, so it opens offline. SVG and PNG are drawn by
kaleido, which drives a Chromium already on the machine (``BROWSER_PATH``, else the first of
``BROWSER_NAMES`` on ``PATH``; Debian's package installs ``/usr/bin/chromium``): it never
downloads a browser, reads plotly.js from the plotly package and has MathJax off, so
drawing needs no network either.

Example:
    >>> write_chart(Path("journey.html"), figure, title="Journey map", subtitle="demo.db")
    ... # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from dealgraph.charts import FONT, Figure
from dealgraph.errors import DealgraphError, InvalidInput

SUFFIXES = (".html", ".svg", ".png")
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WIDTH = 1200
MIN_HEIGHT = 700
TITLE_SPACE = 90
# Seconds kaleido may take to draw one image before it gives up.
RENDER_TIMEOUT = 90


class ChartUnavailable(DealgraphError):
    """A static image was asked for but nothing on this machine can draw it."""


def chart_format(path: Path, *, where: str = "--out") -> str:
    """``html``, ``svg`` or ``png`` from the file's suffix; InvalidInput for anything else.

    Also refuses a path whose folder does not exist, so nothing is computed in vain.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            f"{path.name!r} must end in {', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]}", where=where
        )
    if not path.parent.is_dir():
        raise InvalidInput(f"no folder {path.parent} to write {path.name} in", where=where)
    return suffix[1:]


def _kaleido() -> ModuleType:
    """kaleido, imported with an empty command line.

    Its logging helper (logistro) parses ``sys.argv`` when imported, abbreviations allowed,
    and exits on a prefix of its ``--logistro-*`` options, such as our ``--log``.
    """
    command_line = sys.argv
    sys.argv = command_line[:1]
    try:
        import kaleido
    finally:
        sys.argv = command_line
    module: ModuleType = kaleido
    return module


def find_chromium(*, where: str = "--out") -> str:
    """The Chromium that draws SVG and PNG files; ChartUnavailable when there is none."""
    needs = f"{where}: .png and .svg files need"
    try:
        _kaleido()
    except ImportError:
        raise ChartUnavailable(
            f"{needs} the kaleido package (pip install 'kaleido>=1'); .html needs nothing"
        ) from None
    given = os.environ.get("BROWSER_PATH")
    found = given or next((p for p in map(shutil.which, BROWSER_NAMES) if p), None)
    if found is None or not Path(found).is_file():
        tried = f"BROWSER_PATH={given} is not a file" if given else "none found on PATH"
        raise ChartUnavailable(
            f"{needs} Chromium ({tried}): install the chromium package or set BROWSER_PATH;"
            " .html needs nothing"
        )
    return found


def check_chart_path(path: Path, *, where: str = "--out") -> str:
    """The format of ``path``, after making sure it can be written: call before the work."""
    kind = chart_format(path, where=where)
    if kind != "html":
        find_chromium(where=where)
    return kind


def file_figure(figure: Figure, *, title: str, subtitle: str) -> Figure:
    """``figure`` sized for a file (1200 px wide, at least 700 high), titled, on white.

    The figure itself is left as it was: the page draws it unchanged.
    """
    layout: dict[str, Any] = dict(figure["layout"])
    height = max(MIN_HEIGHT, int(layout.get("height", 0)) + TITLE_SPACE)
    margin = {**layout.get("margin", {}), "t": TITLE_SPACE}
    heading = f"<b>{html.escape(title, quote=False)}</b>"
    if subtitle:
        heading += f"<br><sup>{html.escape(subtitle, quote=False)}</sup>"
    # Long category labels (stage titles) must not be cut at the file's edge.
    for name, axis in list(layout.items()):
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            layout[name] = {"automargin": True, **axis}
    layout.update(
        width=WIDTH,
        height=height,
        margin=margin,
        template="none",
        paper_bgcolor="white",
        plot_bgcolor="white",
        title={
            "text": heading,
            "x": 0.01,
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 18},
            "font": {**FONT, "size": 18},
        },
    )
    return {"data": figure["data"], "layout": layout}


def chart_html(figure: Figure, *, title: str) -> str:
    """A whole HTML page holding the figure and plotly.js itself (no CDN, opens offline)."""
    import plotly.io as pio

    body = pio.to_html(
        figure,
        include_plotlyjs=True,
        full_html=False,
        div_id="dealgraph-chart",
        config={"displaylogo": False, "responsive": True},
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n"
        '<body style="margin: 0; background: white;">\n'
        f"{body}\n</body>\n</html>\n"
    )


def chart_image(figure: Figure, *, kind: str) -> bytes:
    """The figure drawn as ``svg`` or ``png`` by the machine's Chromium through kaleido."""
    import plotly
    import plotly.graph_objects as go

    browser = find_chromium()
    kaleido = _kaleido()
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    layout = figure["layout"]
    from kaleido import errors  # after _kaleido(): the package is loaded, argv untouched

    # No rendering failure should leave a traceback: each becomes one line for the user.
    try:
        image: bytes = kaleido.calc_fig_sync(
            go.Figure(figure).to_dict(),
            opts={"format": kind, "width": layout["width"], "height": layout["height"], "scale": 1},
            kopts={
                "path": browser,
                "plotlyjs": str(plotly_js),
                "mathjax": False,
                "timeout": RENDER_TIMEOUT,
            },
        )
    except (errors.BrowserFailedError, errors.BrowserClosedError, errors.ChromeNotFoundError):
        raise ChartUnavailable(
            f"the browser at {browser} did not start or closed before drawing the {kind}"
            " (is it Chromium? set BROWSER_PATH to one)"
        ) from None
    except (errors.JavascriptError, errors.KaleidoError, TimeoutError) as exc:
        problem = str(exc).strip() or type(exc).__name__
        message = f"the browser at {browser} could not draw the {kind}: {problem}"
        raise ChartUnavailable(message) from exc
    return image


def write_chart(path: Path, figure: Figure, *, title: str, subtitle: str = "") -> Path:
    """Save ``figure`` as ``path`` (.html, .svg or .png), titled; nothing is written on error."""
    kind = chart_format(path)
    page = file_figure(figure, title=title, subtitle=subtitle)
    if kind == "html":
        data = chart_html(page, title=f"{title} — {subtitle}" if subtitle else title).encode()
    else:
        data = chart_image(page, kind=kind)
    path.write_bytes(data)
    return path
