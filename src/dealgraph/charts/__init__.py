"""Plotly figures as plain JSON-ready dicts, shared by the two edges that draw them.

A figure is ``{"data": [...], "layout": {...}}``: the web pages embed it for plotly.js,
the CLI's ``--out`` saves it as a self-contained HTML page or a static SVG or PNG
(``charts.files``). The builders take the services' panel models and import no web or CLI
package, so both edges may use them (``docs/decisions/2026-11-23-charts-package.md``).
"""

from __future__ import annotations

from typing import Any

Figure = dict[str, Any]

FONT: dict[str, Any] = {
    "family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "size": 12,
}
# The pattern charts' palette: good, middling and bad, and the two kinds of node.
GREEN = "#23864f"
AMBER = "#e39b2d"
RED = "#c0392b"
NODE_COLOUR = "#5b7fd6"
OTHER_NODE_COLOUR = "#9aa0a6"
TRANSPARENT = "rgba(0,0,0,0)"


def panel_layout(height: int, **extra: Any) -> dict[str, Any]:
    """A layout of ``height`` pixels on a transparent ground (the page's card shows through)."""
    return {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 10, "b": 50},
        "font": FONT,
        "plot_bgcolor": TRANSPARENT,
        "paper_bgcolor": TRANSPARENT,
        **extra,
    }
