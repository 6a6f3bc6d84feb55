"""Server-side SVG charts with pygal, safe to inline under the site's CSP.

pygal is built with `js=[]` so it links no external script; it still writes a small
inline <script> with its tooltip config, which the CSP would block, so it is removed.
Every chart on a page is shown next to a table of the same numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2330",
    foreground_strong="#1d2330",
    foreground_subtle="#5b6475",
    colors=("#2c5cc5", "#1f7a3a", "#8a5a00", "#b3261e", "#6b3fa0", "#00838f"),
    font_family="system-ui, sans-serif",
)


def _svg(chart: pygal.graph.graph.Graph) -> SafeString:
    svg = chart.render(is_unicode=True)
    # pygal builds the SVG with etree, so labels are escaped; only its script goes.
    return mark_safe(_SCRIPT.sub("", svg))


def bar_chart(
    *, title: str, labels: Sequence[str], values: Sequence[float], series: str
) -> SafeString:
    chart = pygal.Bar(
        js=[],
        style=STYLE,
        title=title,
        show_legend=False,
        width=720,
        height=320,
        x_label_rotation=30,
        disable_xml_declaration=True,
        print_values=False,
    )
    chart.x_labels = list(labels)
    chart.add(series, list(values))
    return _svg(chart)


def timeline_chart(*, title: str, series: dict[str, list[tuple[datetime, float]]]) -> SafeString:
    chart = pygal.DateTimeLine(
        js=[],
        style=STYLE,
        title=title,
        width=720,
        height=320,
        x_label_rotation=30,
        range=(0, 100),
        disable_xml_declaration=True,
        x_value_formatter=lambda d: d.strftime("%Y-%m-%d"),
        legend_at_bottom=True,
    )
    for name, points in series.items():
        chart.add(name, points)
    return _svg(chart)
