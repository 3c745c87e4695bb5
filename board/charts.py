"""The trends drawn as SVG on the server (pygal), without script: each is shown as an
image beside a table of the same numbers, which is what a screen reader reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pygal
from pygal.style import Style

from board.trends import CLOSINGS, OPEN_PHASES, Trends

# Dark colours, each at least 4.5:1 on white (the tables beside the charts carry the same numbers).
STYLE = Style(background="white", plot_background="white", foreground="#1a1a1a", foreground_strong="#1a1a1a",
              foreground_subtle="#595959", font_family="system-ui, sans-serif",
              colors=("#0b4a85", "#107c10", "#a4262c", "#6b2c91", "#8a5300", "#005b70", "#1a1a1a"))
SIZE = {"width": 720, "height": 360}
ElementTree.register_namespace("", "http://www.w3.org/2000/svg")
ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def _labels(trends: Trends) -> list[str]:
    return [f"{week:%d %b}" for week in trends.weeks]


def _svg(chart: Any) -> bytes:
    tree = ElementTree.fromstring(chart.render(is_unicode=True))
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag.endswith("script"):  # pygal's tooltips: no script is ever sent
                parent.remove(child)
    return ElementTree.tostring(tree, encoding="utf-8")


def _chart(kind: Callable[..., Any], title: str) -> Any:
    return kind(style=STYLE, title=title, js=[], disable_xml_declaration=True, legend_at_bottom=True,
                x_label_rotation=0, truncate_legend=-1, **SIZE)


def flow(trends: Trends) -> bytes:
    chart = _chart(pygal.Bar, "Engagements started and closed per week")
    chart.x_labels = _labels(trends)
    chart.add("started", trends.started)
    for phase in CLOSINGS:
        chart.add(phase.value, trends.closed[phase])
    return _svg(chart)


def contact_sla(trends: Trends) -> bytes:
    chart = _chart(pygal.Line, "Share that met the contact SLA, by week of purchase (%)")
    chart.x_labels = _labels(trends)
    chart.range = (0, 100)
    chart.add("met the contact SLA", [None if share is None else round(share * 100) for share in trends.contact_share])
    return _svg(chart)


def phase_times(trends: Trends) -> bytes:
    known = [days for days in trends.median_days.values() if days is not None]
    in_hours = bool(known) and max(known) < 1  # a young register (or the demo's compressed year)
    chart = _chart(pygal.HorizontalBar, f"Median {'hours' if in_hours else 'days'} in each phase")
    for phase in OPEN_PHASES:
        days = trends.median_days[phase]
        chart.add(phase.value, [None if days is None else round(days * 24 if in_hours else days, 1)])
    return _svg(chart)


def open_by_phase(trends: Trends) -> bytes:
    chart = _chart(pygal.StackedBar, "Open engagements by phase, at each week's end")
    chart.x_labels = _labels(trends)
    for phase in OPEN_PHASES:
        chart.add(phase.value, trends.open_by_phase[phase])
    return _svg(chart)


CHARTS: dict[str, Callable[[Trends], bytes]] = {
    "flow": flow, "contact-sla": contact_sla, "phase-times": phase_times, "open-by-phase": open_by_phase,
}
