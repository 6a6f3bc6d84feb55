"""graph-and-leaves (notes §3, §5): the computation graph that autograd records, seen
from the tensors: which are leaves, how grad_fn.next_functions leads from the output
back to them, and which tensors get a .grad.

The script runs in the sandbox with x0 and w0 given; x.grad, y.grad (kept with
retain_grad) and the list of node names the script walked are read back. The choice
questions (info.json) are graded in the trusted process."""

from __future__ import annotations

import math
import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

PATH = ["SinBackward0", "MulBackward0", "AccumulateGrad"]


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    x0 = round(rng.uniform(0.4, 1.5), 3) * rng.choice((-1, 1))
    w0 = round(rng.uniform(0.6, 1.8), 3)
    return {"globals": {"x0": x0, "w0": w0}, "read": ["x.grad", "y.grad", "path"]}


def _run(
    g: dict[str, Any],
    *,
    retain: bool = True,
    passes: int = 1,
    path: Any = None,
    start: str = "z",
) -> dict[str, Any]:
    """The script's outputs, with one thing changed: y.grad not retained, backward()
    run `passes` times or started at `start` ("z" or "y")."""
    x = torch.tensor(g["x0"], requires_grad=True)
    w = torch.tensor(g["w0"])
    y = x * w
    if retain:
        y.retain_grad()
    z = torch.sin(y)
    for _ in range(passes):
        (z if start == "z" else y).backward(retain_graph=True)
    y_grad = y.grad if retain else None  # a non-leaf keeps no .grad without retain_grad
    values = {"x.grad": x.grad, "y.grad": y_grad, "path": PATH if path is None else path}
    return {"values": values, "error": None}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    g = inputs["globals"]
    dz_dy = math.cos(g["x0"] * g["w0"])
    return {**_run(g), "neighbours": {"dz/dy": dz_dy, "dz/dx": dz_dy * g["w0"]}}


def _path_right(outputs: Any) -> float:
    return 1.0 if outputs["values"].get("path") == PATH else 0.0


X_GRAD, Y_GRAD, WALK = "x.grad = dz/dx", "y.grad = dz/dy (kept with retain_grad)", "path"

CHECKS = [
    Check(
        X_GRAD,
        3,
        script_value("x.grad"),
        quantity="x.grad (dz/dx)",
        neighbours=(("dz/dy, the gradient at y", lambda o: o["neighbours"]["dz/dy"]),),
    ),
    Check(
        Y_GRAD,
        3,
        script_value("y.grad"),
        quantity="y.grad (dz/dy)",
        neighbours=(("dz/dx, the gradient at x", lambda o: o["neighbours"]["dz/dx"]),),
    ),
    Check(
        WALK,
        2,
        _path_right,
        quantity="path (the node names from z.grad_fn back to x)",
        if_false="path is not the chain from z.grad_fn back to x: start at z.grad_fn, "
        "append type(node).__name__, and follow node.next_functions[0][0] until it is None "
        "(x's node, AccumulateGrad, has no next functions) (§3).",
    ),
]


def _simulated(**how: Any) -> Any:
    return lambda params, inputs: _run(inputs["globals"], **how)


MISCONCEPTIONS = [
    Misconception(
        "y-grad-not-retained",
        "y.grad is None: y is not a leaf, and backward() passes its gradient on without "
        "keeping it. Call y.retain_grad() before z.backward() to keep it (§3, §5).",
        _simulated(retain=False),
        on_checks=(X_GRAD, Y_GRAD),
    ),
    Misconception(
        "backward-twice",
        "x.grad and y.grad are twice the gradients: backward() ran twice and every call adds "
        "to .grad (§6). Call z.backward() once.",
        _simulated(passes=2),
        on_checks=(X_GRAD, Y_GRAD),
    ),
    Misconception(
        "backward-from-y",
        "x.grad is w and y.grad is 1: backward() started at y, so it walked back only "
        "y = x·w, and y.grad is dy/dy. Start it at the output, z.backward(): the gradients "
        "asked for are those of z (§3, §5 step 3).",
        _simulated(start="y"),
        on_checks=(X_GRAD, Y_GRAD),
    ),
]
