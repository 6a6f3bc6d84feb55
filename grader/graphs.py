"""Pictures of the autograd graph: the student's next to the reference's.

The sandbox returns a *description* of the graph the student's code built (plain JSON,
validated like every other output: grader/sandbox/graph.py); the reference's is
described here, in the worker, from the tensors the exercise's `expected()` returns
under "graph_tensors". Both are walked in the same order, so the first node where they
part is found by position; graphviz (`dot`, run here, never in the sandbox) draws both
with that node highlighted, and the result card shows the SVGs as images."""

from __future__ import annotations

import base64
from typing import Any

import graphviz

from .sandbox.graph import describe

HIGHLIGHT = "#d55e00"  # Okabe-Ito vermilion: readable by colour-blind viewers too


def reference_graph(roots: list[str], tensors: dict[str, Any]) -> dict[str, Any] | None:
    return describe({name: tensors.get(name) for name in roots}, tensors)


def _inputs(graph: dict[str, Any]) -> dict[int, list[int]]:
    feeding: dict[int, list[int]] = {n["id"]: [] for n in graph["nodes"]}
    for source, target in graph["edges"]:
        feeding[target].append(source)
    return feeding


def _node_words(node: dict[str, Any]) -> str:
    if node["kind"] == "leaf":
        return f"the leaf {node['label']}"
    return f"{node['label']}" + (f" (giving {node['name']})" if node["name"] else "")


def first_difference(student: dict[str, Any] | None, reference: dict[str, Any]) -> tuple[int, str]:
    """(index of the first node where the graphs part, in both; what differs), or
    (-1, "") when they have the same shape."""
    if student is None:
        return 0, "Your code built no graph: nothing it computed was tracked."
    mine, theirs = student["nodes"], reference["nodes"]
    my_inputs, their_inputs = _inputs(student), _inputs(reference)
    for i in range(max(len(mine), len(theirs))):
        if i >= len(mine):
            return i, f"Your graph stops before {_node_words(theirs[i])}."
        if i >= len(theirs):
            return i, f"Your graph has {_node_words(mine[i])}, which the reference does not."
        a, b = mine[i], theirs[i]
        if (a["kind"], a["label"]) != (b["kind"], b["label"]):
            return i, f"Your graph has {_node_words(a)} where the reference has {_node_words(b)}."
        if len(my_inputs[i]) != len(their_inputs[i]):
            return i, (
                f"{_node_words(a)} has {len(my_inputs[i])} tracked input(s) in your graph "
                f"and {len(their_inputs[i])} in the reference."
            )
    return -1, ""


def svg(graph: dict[str, Any], *, highlight: int = -1, title: str) -> str:
    """The graph as SVG (data flows upwards, from the leaves to the result)."""
    dot = graphviz.Digraph(graph_attr={"rankdir": "BT", "label": title, "labelloc": "t"})
    dot.attr("node", fontname="Helvetica", fontsize="11")
    for node in graph["nodes"]:
        label = node["label"]
        if node["kind"] == "op" and node["name"]:
            label = f"{node['name']} = {label}"
        if node["kind"] == "leaf":
            label += "\\nrequires_grad=True" if node["requires_grad"] else ""
        style = {"shape": "ellipse" if node["kind"] == "leaf" else "box", "style": "filled"}
        style["fillcolor"] = "#f3c4a8" if node["id"] == highlight else "#eef2f7"
        if node["id"] == highlight:
            style["color"], style["penwidth"] = HIGHLIGHT, "3"
        dot.node(str(node["id"]), label, **style)
    for source, target in graph["edges"]:
        dot.edge(str(source), str(target))
    return dot.pipe(format="svg", encoding="utf-8")


def pictures(student: dict[str, Any] | None, reference: dict[str, Any]) -> dict[str, Any]:
    """What the result card shows: both graphs as SVG data URLs, the first difference."""
    index, difference = first_difference(student, reference)

    def url(text: str) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(text.encode()).decode()

    return {
        "student": url(svg(student, highlight=index, title="your graph")) if student else "",
        "reference": url(svg(reference, highlight=index, title="the reference's graph")),
        "difference": difference,
        "same": index == -1,
    }
