"""Server-side SVG charts with pygal, safe to inline under the site's CSP.

pygal is built with `js=[]` so it links no external script; it still writes a small
inline <script> with its tooltip config, which the CSP would block, so it is removed.
Every chart on a page is shown next to a table of the same numbers.

Series take the Okabe-Ito colours, which stay distinct for the common kinds of colour
blindness, in an order that puts the ones with at least 3:1 contrast on white first
(WCAG 1.4.11 for graphics); lines also differ by dash pattern, so no series is told
apart by colour alone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pygal
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)

# Okabe & Ito (2008), "Color Universal Design": blue, vermillion, bluish green, reddish
# purple, black, then orange and sky blue (below 3:1 on white, so last).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
DASHES = ("", "8,4", "2,3", "10,3,2,3", "4,4", "12,6", "1,2")
TIME_TICKS = 6

STYLE_OPTIONS: dict[str, object] = {
    "background": "white",
    "plot_background": "white",
    "foreground": "#1d2330",
    "foreground_strong": "#1d2330",
    "foreground_subtle": "#5b6475",
    "colors": OKABE_ITO,
    "font_family": "system-ui, sans-serif",
}
STYLE = Style(**STYLE_OPTIONS)
# Lines thick enough to show their colour and dash pattern.
LINE_STYLE = Style(**STYLE_OPTIONS, stroke_width="2.5", stroke_width_hover="4")


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
        truncate_label=24,  # titles; the table next to the chart has them whole
        disable_xml_declaration=True,
        print_values=False,
    )
    chart.x_labels = list(labels)
    chart.add(series, list(values))
    return _svg(chart)


def time_format(span: timedelta) -> str:
    """A strftime format that tells apart ticks spread over `span`: the time of day
    within a day, day and time within a few weeks, the date beyond."""
    if span <= timedelta(minutes=30):
        return "%H:%M:%S"
    if span <= timedelta(days=1):
        return "%H:%M"
    if span <= timedelta(days=21):
        return "%d %b %H:%M"
    return "%Y-%m-%d"


def time_ticks(start: datetime, end: datetime, count: int = TIME_TICKS) -> list[datetime]:
    """`count` evenly spaced instants from `start` to `end` (one if they are equal)."""
    if end <= start or count < 2:
        return [start]
    step = (end - start) / (count - 1)
    return [start + step * i for i in range(count)]


def timeline_chart(*, title: str, series: dict[str, list[tuple[datetime, float]]]) -> SafeString:
    """Lines over a real time axis: ticks spread from the first point to the last,
    labelled in the site's time zone with as much detail as the span needs."""
    instants = [at for points in series.values() for at, _ in points]
    start, end = (min(instants), max(instants)) if instants else (timezone.now(),) * 2
    fmt = time_format(end - start)

    def label(naive_utc: datetime) -> str:
        # pygal hands the formatter a naive UTC datetime (utcfromtimestamp).
        return timezone.localtime(naive_utc.replace(tzinfo=UTC)).strftime(fmt)

    chart = pygal.DateTimeLine(
        js=[],
        style=LINE_STYLE,
        title=title,
        width=720,
        height=320,
        x_label_rotation=30,
        range=(0, 100),
        disable_xml_declaration=True,
        x_value_formatter=label,
        x_title=f"time ({timezone.get_current_timezone_name()})",
        legend_at_bottom=True,
        dots_size=4,
    )
    chart.x_labels = time_ticks(start, end)
    for i, (name, points) in enumerate(series.items()):
        chart.add(name, points, stroke_style={"dasharray": DASHES[i % len(DASHES)]})
    return _svg(chart)
