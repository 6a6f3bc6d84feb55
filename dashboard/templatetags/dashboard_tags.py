from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import template

register = template.Library()


def _key(key: Any) -> str:
    """A sort key: a name ('name', 'total') or a gradebook column ('e<pk>', 'q<pk>')."""
    return key if isinstance(key, str) else str(key.key)


@register.simple_tag
def sort_query(current: str, key: Any, query: str = "") -> str:
    """The query string that sorts by `key`, flipping the direction when the table is
    already sorted by it. Names sort ascending first, scores descending first."""
    key = _key(key)
    descending_first = key not in ("name",)
    if current == key:
        new = f"-{key}"
    elif current == f"-{key}":
        new = key
    else:
        new = f"-{key}" if descending_first else key
    params = {"sort": new}
    if query:
        params["q"] = query
    return "?" + urlencode(params)


@register.simple_tag
def sort_mark(current: str, key: Any) -> str:
    key = _key(key)
    if current == key:
        return "▲"
    if current == f"-{key}":
        return "▼"
    return ""


@register.filter
def duration(value: timedelta | None) -> str:
    """A span in the largest sensible units: '3 d 4 h', '2 h 5 min', '40 s'."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.{digits}f}%"


@register.filter
def num(value: Any) -> str:
    """A score without trailing zeros, or a dash when there is none."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def signed(value: float | None) -> str:
    """A correlation-like figure with its sign and two decimals ("+0.42", "−0.10")."""
    if value is None:
        return "—"
    return f"{value:+.2f}".replace("-", "−")
