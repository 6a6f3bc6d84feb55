"""A graded submission shown as text (terminal) or as an HTML card (notebook).

Every value from the server is escaped: feedback can quote the student's own answer."""

from __future__ import annotations

from html import escape
from typing import Any


def _number(value: Any) -> str:
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return "?"


def score_line(payload: dict[str, Any]) -> str:
    head = f"{payload.get('exercise')}, attempt {payload.get('attempt')}"
    if payload.get("status") == "error":
        return f"{head}: could not be graded"
    return f"{head}: {_number(payload.get('score'))} / {_number(payload.get('max_score'))}"


def _feedback(payload: dict[str, Any]) -> list[str]:
    lines = []
    if payload.get("error"):
        lines.append(str(payload["error"]))
    if payload.get("read_as"):
        lines.append(f"We read your formula as: {payload['read_as']}")
    misconception = payload.get("misconception") or {}
    if misconception.get("message"):
        lines.append(f"Likely mistake: {misconception['message']}")
    output = payload.get("output")
    if output and output != misconception.get("message"):
        lines.append(str(output))
    if payload.get("late"):
        lines.append("Submitted after the due date.")
    return lines


def _checks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in payload.get("checks") or [] if isinstance(c, dict)]


def as_text(payload: dict[str, Any]) -> str:
    lines = [score_line(payload), *_feedback(payload)]
    for check in _checks(payload):
        mark = "PASS" if check.get("status") == "passed" else "FAIL"
        line = (
            f"  [{mark}] {check.get('name')} "
            f"{_number(check.get('score'))}/{_number(check.get('max_score'))}"
        )
        if check.get("hidden"):
            line += " (hidden check)"
        elif check.get("output"):
            line += f": {check['output']}"
        lines.append(line)
    graph = _graph(payload)
    if graph is not None:
        lines.append(f"Graph: {_graph_caption(graph)} (pictures in the notebook or on the site)")
    return "\n".join(lines)


def _graph_caption(graph: dict[str, Any]) -> str:
    if graph.get("same"):
        return "Your code built the same graph as the reference."
    return f"The graphs part here: {graph.get('difference')}"


def _graph(payload: dict[str, Any]) -> dict[str, Any] | None:
    graph = payload.get("graph")
    return graph if isinstance(graph, dict) else None


def _graph_figure(payload: dict[str, Any]) -> str:
    """The autograd graph the answer built next to the reference's, when the API sends
    them (SVG data URLs): as <img> elements, so nothing in a picture runs."""
    graph = _graph(payload)
    if graph is None:
        return ""
    images = []
    for key, alt in (("student", "your graph"), ("reference", "the reference's graph")):
        src = graph.get(key)
        if isinstance(src, str) and src.startswith(("data:image/svg+xml;", "data:image/png;")):
            images.append(
                f'<img class="agc-graph" alt="{escape(alt)}" src="{escape(src)}" '
                'style="max-width:100%;border:1px solid #d9dee7;background:#fff">'
            )
    return (
        '<figure class="agc-graphs" style="margin:.6em 0">'
        f"<figcaption>{escape(_graph_caption(graph))}</figcaption>"
        f'<div style="display:flex;flex-wrap:wrap;gap:1em">{"".join(images)}</div></figure>'
    )


def as_html(payload: dict[str, Any]) -> str:
    status = str(payload.get("status"))
    score, max_score = payload.get("score"), payload.get("max_score")
    if status == "error":
        colour = "#b3261e"
    elif isinstance(score, (int, float)) and isinstance(max_score, (int, float)):
        colour = "#1f7a3a" if score >= max_score else ("#8a5a00" if score > 0 else "#b3261e")
    else:
        colour = "#5b6475"
    parts = [
        f'<div class="agc-result" data-status="{escape(status)}" '
        'style="border:1px solid #d9dee7;border-radius:6px;padding:.6em 1em;font-family:sans-serif">',
        f'<h3 class="agc-score" style="margin:.2em 0;color:{colour}">{escape(score_line(payload))}</h3>',
    ]
    parts += [f'<p class="agc-feedback">{escape(line)}</p>' for line in _feedback(payload)]
    checks = _checks(payload)
    if checks:
        parts.append('<ul class="agc-checks" style="list-style:none;padding-left:0">')
        for check in checks:
            passed = check.get("status") == "passed"
            detail = ""
            if check.get("hidden"):
                detail = " <em>(hidden check)</em>"
            elif check.get("output"):
                detail = f'<div style="color:#5b6475">{escape(str(check["output"]))}</div>'
            parts.append(
                f'<li class="agc-check {"passed" if passed else "failed"}">'
                f'<span style="color:{"#1f7a3a" if passed else "#b3261e"}">'
                f"{'✔' if passed else '✘'}</span> "
                f"<strong>{escape(str(check.get('name')))}</strong> "
                f"{_number(check.get('score'))}/{_number(check.get('max_score'))}{detail}</li>"
            )
        parts.append("</ul>")
    parts.append(_graph_figure(payload))
    parts.append("</div>")
    return "".join(parts)


class Result:
    """What `%%submit` returns: shown as the HTML card in a notebook, as text elsewhere;
    `.payload` is the API's JSON."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload

    @property
    def graded(self) -> bool:
        return self.payload.get("status") == "graded"

    def _repr_html_(self) -> str:
        return as_html(self.payload)

    def __repr__(self) -> str:
        return as_text(self.payload)
