"""Statement Markdown with LaTeX → HTML with MathML, rendered on the server.

Math is cut out before Markdown runs (so `_` and `*` inside formulas stay math), turned
into MathML by latex2mathml, and put back. `{{ name }}` placeholders are filled from
the student's variant parameters first, so each student sees their own numbers."""

from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from typing import Any

import markdown
from latex2mathml.converter import convert

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)


def _format_param(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_format_param(v) for v in value) + "]"
    return str(value)


def fill_params(text: str, params: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(
        lambda m: _format_param(params[m.group(1)]) if m.group(1) in params else m.group(0), text
    )


def latex_to_mathml(latex: str, *, display: bool = False) -> str:
    try:
        return convert(latex, display="block" if display else "inline")
    except Exception:  # a bad formula in content shows as code, not as a 500
        return f"<code>{html.escape(latex)}</code>"


_STATEMENT_EXTENSIONS = ("fenced_code", "tables")
# Pages of the notes also take `{#anchor}` after a heading (attr_list), for § links.
_PAGE_EXTENSIONS = ("fenced_code", "tables", "attr_list")


def render_statement(text: str, params: dict[str, Any] | None = None) -> str:
    # Markdown + latex2mathml cost ~3 ms a page; a statement's HTML depends only on its
    # text and the student's variant, and the variants of a course are few.
    return _render(text, json.dumps(params or {}, sort_keys=True, default=str))


def render_page(text: str) -> str:
    """A page of course text (the notes, a hint): Markdown with LaTeX, as statements are,
    with heading anchors and no variant parameters."""
    return _render(text, "{}", _PAGE_EXTENSIONS)


@lru_cache(maxsize=4096)
def _render(
    text: str, params_json: str, extensions: tuple[str, ...] = _STATEMENT_EXTENSIONS
) -> str:
    text = fill_params(text, json.loads(params_json))
    pieces: list[str] = []

    def stash(match: re.Match[str]) -> str:
        display = match.group(1) is not None
        pieces.append(latex_to_mathml(match.group(1) or match.group(2), display=display))
        return f"MATHPIECE{len(pieces) - 1}END"

    body = _MATH.sub(stash, text)
    rendered = markdown.markdown(body, extensions=list(extensions))
    return re.sub(r"MATHPIECE(\d+)END", lambda m: pieces[int(m.group(1))], rendered)
