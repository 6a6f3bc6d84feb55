"""What the exercises that fix a script's RuntimeError share (notes §7-8): the script,
its inputs (x values and the starting w, b), how a fixed script behaves (simulated here
with autograd), the checks on that behaviour and the slips any fix may make.

Each exercise's grading.py (fix-runtime-error, fix-detached-graph, fix-requires-grad-off,
fix-non-scalar-backward) adds only what breaks its own script and its misconceptions.
Trusted code, like every grading.py: torch, exercises.spec and the standard library."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch

from .spec import Check, Misconception, script_value


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = rng.randint(4, 9)
    return {
        "globals": {
            "x_values": [round(rng.uniform(-2.0, 2.0), 4) for _ in range(n)],
            "w0": round(rng.uniform(-2.0, 2.0), 4),
            "b0": round(rng.uniform(-1.0, 1.0), 4),
        },
        "read": ["w.requires_grad", "b.requires_grad", "w.grad", "b.grad"],
    }


Reduce = Callable[[torch.Tensor], torch.Tensor]


def _run(
    g: dict[str, Any], reduce: Reduce = torch.sum, *, passes: int = 1, error: str | None = None
) -> dict[str, Any]:
    """The outputs of a script that back-propagates `passes` times from `reduce(w·x² + b)`,
    or, with `error`, of one that stopped with that error before any gradient."""
    if error is not None:
        return {"values": no_gradients(), "error": error}
    x = torch.tensor(g["x_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)
    y = reduce(w * x**2 + b)
    for _ in range(passes):
        y.backward(retain_graph=True)
    assert w.grad is not None and b.grad is not None
    values = {**no_gradients(), "w.grad": w.grad.detach(), "b.grad": b.grad.detach()}
    return {"values": values, "error": None}


def no_gradients(w_tracks: bool = True, b_tracks: bool = True) -> dict[str, Any]:
    return {
        "w.requires_grad": w_tracks,
        "b.requires_grad": b_tracks,
        "w.grad": None,
        "b.grad": None,
    }


def first_example(t: torch.Tensor) -> torch.Tensor:
    return t[0]


NEIGHBOURS: dict[str, Reduce] = {
    "the gradient of the mean (the sum's divided by n)": torch.mean,
    "the first example's gradient only": first_example,
}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    g = inputs["globals"]
    near = {words: _run(g, f)["values"] for words, f in NEIGHBOURS.items()}
    return {**_run(g), "neighbours": near}


def _ran_cleanly(outputs: Any) -> float:
    return 0.0 if outputs.get("error") else 1.0


def _tracking(outputs: Any) -> float:
    """1 when w and b still require grad at the end: a script that never makes them, or
    leaves tracking off, is told apart from a fix that only lost its gradients."""
    values = outputs["values"]
    return 1.0 if all(values.get(f"{p}.requires_grad") is True for p in ("w", "b")) else 0.0


def _near(name: str) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    return tuple((words, lambda o, w=words: o["neighbours"][w][name]) for words in NEIGHBOURS)


RUNS, TRACKING, W_GRAD, B_GRAD = (
    "the script runs to the end without an exception",
    "w and b track gradients (requires_grad is True)",
    "w.grad = dy/dw",
    "b.grad = dy/db",
)
CHECKS = [
    Check(
        RUNS,
        1,
        _ran_cleanly,
        quantity="the run of your script",
        if_false="Your script still stops with an exception (shown with the result).",
    ),
    Check(
        TRACKING,
        1,
        _tracking,
        quantity="w.requires_grad and b.requires_grad",
        if_false="w or b does not require grad: it cannot get a gradient (§5, §7).",
    ),
    Check(
        W_GRAD,
        4,
        script_value("w.grad"),
        rtol=1e-6,
        atol=1e-9,
        quantity="w.grad (dy/dw)",
        neighbours=_near("w.grad"),
    ),
    Check(
        B_GRAD,
        4,
        script_value("b.grad"),
        rtol=1e-6,
        atol=1e-9,
        quantity="b.grad (dy/db)",
        neighbours=_near("b.grad"),
    ),
]


def simulated(reduce: Reduce = torch.sum, **how: Any) -> Any:
    return lambda params, inputs: _run(inputs["globals"], reduce, **how)


NO_GRAD_ERROR = (
    "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
)
COMMON = [
    Misconception(
        "sum-changed-to-mean",
        "The script runs, but your gradients are the statement's divided by n: y was "
        "changed from a sum to a mean. Fix the cause of the error and keep y as it is (§8).",
        simulated(torch.mean),
        on_checks=(W_GRAD, B_GRAD),
    ),
    Misconception(
        "backward-twice",
        "The script runs, but your gradients are twice the right ones: backward() ran twice "
        "and every call adds to .grad (§6). Call it once.",
        simulated(passes=2),
        on_checks=(W_GRAD, B_GRAD),
    ),
]

NON_SCALAR_ERROR = "RuntimeError: grad can be implicitly created only for scalar outputs"
