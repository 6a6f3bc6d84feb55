"""The autograd graph on the result card: described in the sandbox as plain data,
validated like every other output, drawn by the worker next to the reference's."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import torch

from exercises.course import load_spec
from grader.grading import grade_answer
from grader.graphs import first_difference
from grader.sandbox import Job, Limits, run
from grader.sandbox.graph import check_graph, describe

SLUG = "autograd-basics"


def _script(body: str) -> str:
    return "import torch\n\nx = torch.tensor(x0, requires_grad=True)\n" + body


def test_the_description_walks_grad_fn_and_names_the_leaves() -> None:
    x = torch.tensor(2.0, requires_grad=True)
    y = x**2
    z = torch.sin(y)
    graph = describe({"z": z}, {"x": x, "y": y, "z": z})
    assert graph is not None and check_graph(graph) == ""
    assert [(n["kind"], n["label"], n["name"]) for n in graph["nodes"]] == [
        ("op", "SinBackward0", "z"),
        ("op", "PowBackward0", "y"),
        ("leaf", "x", "x"),
    ]
    assert graph["edges"] == [[1, 0], [2, 1]]


def test_a_wrong_graph_is_drawn_beside_the_reference_with_the_first_difference() -> None:
    answer = _script("y = x * x\nz = torch.cos(y)\nz.backward()\n")
    outcome = grade_answer(load_spec(SLUG), answer=answer, seed=3, attempt=1)
    graph = outcome.results["extra"]["graph"]
    assert graph["difference"] == (
        "Your graph has CosBackward0 (giving z) where the reference has SinBackward0 (giving z)."
    )
    assert graph["student"].startswith("data:image/svg+xml;base64,")
    assert graph["reference"].startswith("data:image/svg+xml;base64,")


def test_the_right_graph_is_said_to_be_the_same() -> None:
    spec = load_spec(SLUG)
    outcome = grade_answer(spec, answer=spec.solution, seed=3, attempt=1)
    assert outcome.results["extra"]["graph"]["same"] is True


def test_code_that_tracked_nothing_built_no_graph() -> None:
    reference = {
        "nodes": [
            {"id": 0, "kind": "op", "label": "SinBackward0", "name": "z", "requires_grad": True}
        ],
        "edges": [],
        "truncated": False,
    }
    assert first_difference(None, reference) == (
        0,
        "Your code built no graph: nothing it computed was tracked.",
    )


FORGED: list[tuple[str, Any]] = [
    (
        "markup in a label",
        {
            "nodes": [
                {"id": 0, "kind": "op", "label": "<b>x</b>", "name": "", "requires_grad": True}
            ],
            "edges": [],
            "truncated": False,
        },
    ),
    (
        "an edge to nowhere",
        {
            "nodes": [{"id": 0, "kind": "op", "label": "A", "name": "", "requires_grad": True}],
            "edges": [[0, 7]],
            "truncated": False,
        },
    ),
    (
        "too many nodes",
        {
            "nodes": [
                {"id": i, "kind": "op", "label": "A", "name": "", "requires_grad": True}
                for i in range(500)
            ],
            "edges": [],
            "truncated": False,
        },
    ),
    ("image bytes", {"nodes": [], "edges": [], "truncated": False, "svg": "<svg onload=alert(1)>"}),
]


def _forging(graph: Any) -> str:
    """A script that writes its own result document on the result channel (fd 3), with
    a graph description of its choosing, and exits before the runner can write one."""
    document = {
        "status": "ok",
        "outputs": {"values": {"z": 0.5}, "error": None, "graph": graph},
        "error": "",
    }
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    return f"import base64, os\nos.write(3, base64.b64decode({encoded!r}))\nos._exit(0)\n"


@pytest.mark.parametrize(("case", "forged"), FORGED, ids=[c for c, _ in FORGED])
def test_a_forged_graph_description_is_an_invalid_result(case: str, forged: Any) -> None:
    assert check_graph(forged) != ""
    job = Job(
        "script",
        _forging(forged),
        {"globals": {"x0": 1.5}, "read": ["z"], "graph": ["z"]},
        limits=Limits(),
    )
    result = run(job)
    assert result.status != "ok"
    assert "invalid result" in result.error


def test_the_sandbox_returns_the_graph_only_when_asked() -> None:
    body = _script("z = torch.sin(x * x)\nz.backward()\n")
    asked = run(
        Job(
            "script", body, {"globals": {"x0": 1.5}, "read": ["z"], "graph": ["z"]}, limits=Limits()
        )
    )
    assert asked.status == "ok", asked.error
    assert [n["label"] for n in asked.outputs["graph"]["nodes"]] == [
        "SinBackward0",
        "MulBackward0",
        "x",
    ]
    plain = run(Job("script", body, {"globals": {"x0": 1.5}, "read": ["z"]}, limits=Limits()))
    assert "graph" not in plain.outputs
