"""autograd-basics (notes §3, §5): requires_grad, backward() and .grad on z = sin(x²).

The student's script runs in the sandbox with `x0` given; x.requires_grad, z and
x.grad are read back and compared with what the same steps give here. The grad_fn
question is a choice part (info.json), graded in the trusted process."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

READ = ["x.requires_grad", "z", "x.grad"]
NO_GRAD_ERROR = (
    "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
)


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    # |x0| >= 0.5 keeps 2x·cos(x²) clearly apart from 2x (the backward-from-y mistake).
    x0 = round(rng.uniform(0.5, 2.0), 3) * rng.choice((-1, 1))
    # "graph": the result card draws the graph the script built from z, next to ours.
    return {"globals": {"x0": x0}, "read": READ, "graph": ["z"]}


def _run(x0: float, *, track: bool = True, backward_from: str = "z") -> dict[str, Any]:
    x = torch.tensor(x0, requires_grad=track)
    y = x**2
    z = torch.sin(y)
    if backward_from == "z":
        z.backward()
    elif backward_from == "y":
        y.backward()
    return {
        "values": {"x.requires_grad": track, "z": z.detach(), "x.grad": x.grad},
        "error": None,
        "graph_tensors": {"x": x, "y": y, "z": z},
    }


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return _run(inputs["globals"]["x0"])


def _tracks(outputs: Any) -> float:
    return 1.0 if outputs["values"].get("x.requires_grad") is True else 0.0


CHECKS = [
    Check("x tracks gradients (x.requires_grad is True)", 2, _tracks),
    Check("z = sin(x²)", 2, script_value("z")),
    Check("x.grad = dz/dx", 4, script_value("x.grad")),
]
ON = ("x tracks gradients (x.requires_grad is True)", "x.grad = dz/dx")


def _untracked(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    outputs = _run(inputs["globals"]["x0"], track=False, backward_from="")
    return {**outputs, "error": NO_GRAD_ERROR}


MISCONCEPTIONS = [
    Misconception(
        "tracking-not-started",
        "x was created without requires_grad=True, so nothing was recorded and z has no "
        "grad_fn to walk back through. Tracking must start when x is created (§5, step 1).",
        _untracked,
        on_checks=ON,
    ),
    Misconception(
        "backward-not-called",
        "x tracks gradients but x.grad is still None: the gradient is only computed when "
        "you call z.backward() (§5, steps 3–4).",
        lambda params, inputs: _run(inputs["globals"]["x0"], backward_from=""),
        on_checks=ON,
    ),
    Misconception(
        "backward-from-intermediate",
        "x.grad is 2x, which is dy/dx: backward() was called on y, not on the output z. "
        "Call it on the final result so the whole graph is walked (§3, §5).",
        lambda params, inputs: _run(inputs["globals"]["x0"], backward_from="y"),
        on_checks=("x.grad = dz/dx",),
    ),
]
