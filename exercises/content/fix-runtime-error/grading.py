"""fix-runtime-error (notes §7–8): make a script that raises "element 0 of tensors does
not require grad" (its y was computed under no_grad) produce the right gradients.

The student's script runs in the sandbox with x_values, w0, b0 given; w.grad and
b.grad are read back and compared with autograd's, computed here. Only the behaviour is
graded (the script runs, the gradients are right), never the names of intermediate
results."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value


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
        return {"values": _no_gradients(), "error": error}
    x = torch.tensor(g["x_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)
    y = reduce(w * x**2 + b)
    for _ in range(passes):
        y.backward(retain_graph=True)
    assert w.grad is not None and b.grad is not None
    values = {**_no_gradients(), "w.grad": w.grad.detach(), "b.grad": b.grad.detach()}
    return {"values": values, "error": None}


def _no_gradients(w_tracks: bool = True, b_tracks: bool = True) -> dict[str, Any]:
    return {
        "w.requires_grad": w_tracks,
        "b.requires_grad": b_tracks,
        "w.grad": None,
        "b.grad": None,
    }


def _first(t: torch.Tensor) -> torch.Tensor:
    return t[0]


NEIGHBOURS: dict[str, Reduce] = {
    "the gradient of the mean (the sum's divided by n)": torch.mean,
    "the first example's gradient only": _first,
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


def _simulated(reduce: Reduce = torch.sum, **how: Any) -> Any:
    return lambda params, inputs: _run(inputs["globals"], reduce, **how)


NO_GRAD_ERROR = (
    "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
)
COMMON = [
    Misconception(
        "sum-changed-to-mean",
        "The script runs, but your gradients are the statement's divided by n: y was "
        "changed from a sum to a mean. Fix the cause of the error and keep y as it is (§8).",
        _simulated(torch.mean),
        on_checks=(W_GRAD, B_GRAD),
    ),
    Misconception(
        "backward-twice",
        "The script runs, but your gradients are twice the right ones: backward() ran twice "
        "and every call adds to .grad (§6). Call it once.",
        _simulated(passes=2),
        on_checks=(W_GRAD, B_GRAD),
    ),
]

MISCONCEPTIONS = [
    Misconception(
        "graph-detached-before-backward",
        "backward() was called on a result that was cut out of the graph (no_grad, "
        "detach() or requires_grad_(False) came before it), so it has no grad_fn. Compute "
        "the result with tracking on and call backward() on that (§7–8).",
        _simulated(error=NO_GRAD_ERROR),
    ),
    Misconception(
        "requires-grad-set-after-operation",
        "Setting requires_grad on the result after the operation silences the error, but "
        "the result is then a new leaf: backward() stops there and w, b get no gradient. "
        "Tracking must be on while the operation runs (§5, §8).",
        lambda params, inputs: {"values": _no_gradients(), "error": None},
    ),
    *COMMON,
]
