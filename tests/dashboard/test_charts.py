"""The "over time" chart: a real time axis and series told apart by colour-blind-safe
colours and by dash pattern."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dashboard.charts import OKABE_ITO, time_format, time_ticks, timeline_chart

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _axis_labels(svg: str) -> list[str]:
    axis = svg.split('class="axis x')[1].split('class="axis y')[0]
    return re.findall(r"<text[^>]*>([^<]+)</text>", axis)


def test_ticks_span_the_points_and_are_labelled_as_finely_as_needed() -> None:
    assert time_ticks(START, START + timedelta(minutes=50), 6) == [
        START + timedelta(minutes=10 * i) for i in range(6)
    ]
    assert time_ticks(START, START) == [START]
    assert time_format(timedelta(minutes=9)) == "%H:%M:%S"
    assert time_format(timedelta(hours=5)) == "%H:%M"
    assert time_format(timedelta(days=3)) == "%d %b %H:%M"
    assert time_format(timedelta(days=60)) == "%Y-%m-%d"


def test_one_afternoons_answers_get_distinct_time_labels_and_colours(settings) -> None:
    settings.TIME_ZONE = "UTC"
    series = {
        "The chain rule": [(START, 0.0), (START + timedelta(minutes=50), 100.0)],
        "The power rule": [(START + timedelta(minutes=20), 50.0)],
    }
    svg = str(timeline_chart(title="over time", series=series))
    labels = _axis_labels(svg)
    assert labels[:6] == ["10:00", "10:10", "10:20", "10:30", "10:40", "10:50"]
    assert "time (UTC)" in svg
    # Series colours: the first two Okabe-Ito colours, one per series.
    assert re.search(rf"\.color-0[^{{]*{{[^}}]*{OKABE_ITO[0]}", svg)
    assert re.search(rf"\.color-1[^{{]*{{[^}}]*{OKABE_ITO[1]}", svg)
    assert OKABE_ITO[0] != OKABE_ITO[1]
    # and a dash pattern on the second line, so colour is not the only difference.
    assert ".serie-1{stroke-dasharray:8,4}" in svg
