"""Saving a figure: suffixes, folders, the page around it, and finding Chromium."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dealgraph.charts.files import (
    ChartUnavailable,
    chart_format,
    chart_html,
    check_chart_path,
    file_figure,
    find_chromium,
    write_chart,
)
from dealgraph.errors import InvalidInput

BARS = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], "layout": {"height": 900}}


def test_the_suffix_names_the_format_in_any_case(tmp_path: Path) -> None:
    assert [chart_format(tmp_path / n) for n in ("a.html", "b.SVG", "c.Png")] == [
        "html",
        "svg",
        "png",
    ]


def test_other_suffixes_and_missing_folders_are_refused(tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    charts.mkdir()
    with pytest.raises(InvalidInput) as bad:
        chart_format(charts / "chart.jpeg", where="--chart")
    assert str(bad.value) == "--chart: 'chart.jpeg' must end in .html, .svg or .png"
    with pytest.raises(InvalidInput, match="no folder .*nope to write c.html in"):
        chart_format(charts / "nope" / "c.html")
    with pytest.raises(InvalidInput):
        write_chart(charts / "chart", BARS, title="Bars")
    assert list(charts.iterdir()) == []


def test_file_figure_is_wide_titled_and_keeps_the_data() -> None:
    page = file_figure(BARS, title="Bars <and> lines", subtitle="log a&b.xes")
    layout = page["layout"]
    assert page["data"] is BARS["data"]
    assert (layout["width"], layout["height"]) == (1200, 900 + 90)
    assert layout["title"]["text"] == "<b>Bars &lt;and&gt; lines</b><br><sup>log a&amp;b.xes</sup>"
    assert layout["paper_bgcolor"] == "white" and layout["margin"]["t"] == 90
    assert BARS["layout"] == {"height": 900}  # the page's figure is not changed
    short = file_figure({"data": [], "layout": {"height": 180}}, title="T", subtitle="")
    assert short["layout"]["height"] == 700 and short["layout"]["title"]["text"] == "<b>T</b>"


def test_html_page_has_the_title_and_the_library_inline() -> None:
    page = chart_html(file_figure(BARS, title="Bars", subtitle=""), title="Bars & co")
    assert page.startswith("<!DOCTYPE html>") and "<title>Bars &amp; co</title>" in page
    assert '<div id="dealgraph-chart"' in page and "* plotly.js v" in page
    assert "<script src=" not in page


def test_write_html_needs_no_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "none"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert check_chart_path(tmp_path / "c.html") == "html"
    written = write_chart(tmp_path / "c.html", BARS, title="Bars", subtitle="demo")
    assert "<title>Bars — demo</title>" in written.read_text(encoding="utf-8")


@pytest.mark.skipif(importlib.util.find_spec("kaleido") is None, reason="needs kaleido")
def test_no_browser_anywhere_is_chart_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ChartUnavailable) as missing:
        check_chart_path(tmp_path / "c.png")
    assert str(missing.value) == (
        "--out: .png and .svg files need Chromium (none found on PATH): install the chromium"
        " package or set BROWSER_PATH; .html needs nothing"
    )
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    assert find_chromium() == str(fake)
    monkeypatch.setenv("BROWSER_PATH", "/opt/else/chrome")
    with pytest.raises(ChartUnavailable, match=r"BROWSER_PATH=/opt/else/chrome is not a file"):
        find_chromium()
