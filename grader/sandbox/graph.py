"""The autograd graph a piece of code built, described as plain JSON data.

Walks `grad_fn.next_functions` from named root tensors, breadth first and in the order
of each node's inputs, so two graphs of the same computation list their nodes in the
same order. A node is an operation (`PowBackward0`) or a leaf (`AccumulateGrad`,
labelled with the name the code gave the tensor, `x`). Used in the sandbox on the
student's tensors (the description travels back as JSON and is validated by
`check_graph`, like every other output) and in the worker on the reference's tensors;
the picture is drawn from the descriptions by the worker (grader/graphs.py): no image
bytes ever come from the sandbox.

    {"nodes": [{"id": 0, "kind": "op", "label": "SinBackward0", "name": "z",
                "requires_grad": true}, ...],
     "edges": [[1, 0], ...],          # [input node, node it feeds]
     "truncated": false}
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

MAX_NODES = 60
MAX_EDGES = 120
MAX_LABEL = 40
# Labels and names are drawn by graphviz and shown on a page: a small alphabet only (no
# angle brackets: graphviz would read "<...>" as an HTML-like label).
_LABEL = re.compile(r"^[A-Za-z0-9_.()\[\] ,=+*/-]{1,40}$")
KINDS = ("op", "leaf")


def _safe(text: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_.()\[\] ,=+*/-]", "?", str(text))[:MAX_LABEL]
    return text or "?"


def describe(roots: dict[str, Any], names: dict[str, Any]) -> dict[str, Any] | None:
    """The graph behind ``roots`` (name → tensor); ``names`` (name → value) label the
    leaves and named intermediate results. None if no root has a graph."""
    import torch

    leaf_names: dict[int, str] = {}
    fn_names: dict[int, str] = {}
    for name, value in names.items():
        if isinstance(value, torch.Tensor) and not name.startswith("_"):
            if value.grad_fn is not None:
                fn_names.setdefault(id(value.grad_fn), name)
            else:
                leaf_names.setdefault(id(value), name)
    ids: dict[int, int] = {}
    nodes: list[dict[str, Any]] = []
    edges: list[list[int]] = []
    queue: deque[Any] = deque()
    truncated = False

    def visit(fn: Any) -> int | None:
        nonlocal truncated
        if id(fn) in ids:
            return ids[id(fn)]
        if len(nodes) >= MAX_NODES:
            truncated = True
            return None
        ids[id(fn)] = len(nodes)
        variable = getattr(fn, "variable", None)
        if isinstance(variable, torch.Tensor):  # AccumulateGrad: a leaf that gets .grad
            name = leaf_names.get(id(variable), "")
            nodes.append(
                {
                    "id": len(nodes),
                    "kind": "leaf",
                    "label": _safe(name or "leaf"),
                    "name": _safe(name) if name else "",
                    "requires_grad": bool(variable.requires_grad),
                }
            )
        else:
            nodes.append(
                {
                    "id": len(nodes),
                    "kind": "op",
                    "label": _safe(type(fn).__name__),
                    "name": _safe(fn_names[id(fn)]) if id(fn) in fn_names else "",
                    "requires_grad": True,
                }
            )
            queue.append(fn)
        return ids[id(fn)]

    for value in roots.values():
        if isinstance(value, torch.Tensor) and value.grad_fn is not None:
            visit(value.grad_fn)
    if not nodes:
        return None
    while queue:
        fn = queue.popleft()
        for child, _ in getattr(fn, "next_functions", ()):
            if child is None:
                continue
            child_id = visit(child)
            if child_id is not None and len(edges) < MAX_EDGES:
                edges.append([child_id, ids[id(fn)]])
    return {"nodes": nodes, "edges": edges, "truncated": truncated}


def check_graph(graph: Any) -> str:
    """What is wrong with a graph description from the sandbox, or "" if it is sound."""
    if not isinstance(graph, dict) or set(graph) != {"nodes", "edges", "truncated"}:
        return "graph must have exactly the keys nodes, edges, truncated"
    nodes, edges = graph["nodes"], graph["edges"]
    if not isinstance(nodes, list) or not 0 < len(nodes) <= MAX_NODES:
        return f"graph has no nodes or more than {MAX_NODES}"
    if not isinstance(edges, list) or len(edges) > MAX_EDGES:
        return f"graph has more than {MAX_EDGES} edges"
    if not isinstance(graph["truncated"], bool):
        return "graph.truncated must be true or false"
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or set(node) != {
            "id",
            "kind",
            "label",
            "name",
            "requires_grad",
        }:
            return f"graph node {i} has the wrong keys"
        if node["id"] != i or node["kind"] not in KINDS:
            return f"graph node {i} has a wrong id or kind"
        if not isinstance(node["label"], str) or not _LABEL.match(node["label"]):
            return f"graph node {i} has a label outside the allowed characters"
        if not isinstance(node["name"], str) or (node["name"] and not _LABEL.match(node["name"])):
            return f"graph node {i} has a name outside the allowed characters"
        if not isinstance(node["requires_grad"], bool):
            return f"graph node {i}: requires_grad must be true or false"
    for edge in edges:
        if (
            not isinstance(edge, list)
            or len(edge) != 2
            or not all(isinstance(e, int) and not isinstance(e, bool) for e in edge)
            or not all(0 <= e < len(nodes) for e in edge)
        ):
            return "graph edges must be pairs of node ids"
    return ""
