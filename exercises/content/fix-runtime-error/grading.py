"""fix-runtime-error (notes §7–8): make a script that raises "element 0 of tensors does
not require grad" produce the right gradients.

The student's script runs in the sandbox with x_values, w0, b0 given; w.grad and
b.grad are read back and compared with autograd's, computed here."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

NO_GRAD_ERROR = "element 0 of tensors does not require grad"


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = rng.randint(4, 9)
    return {
        "globals": {
            "x_values": [round(rng.uniform(-2.0, 2.0), 4) for _ in range(n)],
            "w0": round(rng.uniform(-2.0, 2.0), 4),
            "b0": round(rng.uniform(-1.0, 1.0), 4),
        },
        "read": ["w.grad", "b.grad", "y.is_leaf"],
    }


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    g = inputs["globals"]
    x = torch.tensor(g["x_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)
    (w * x**2 + b).sum().backward()
    assert w.grad is not None and b.grad is not None
    values = {"w.grad": w.grad.detach(), "b.grad": b.grad.detach(), "y.is_leaf": False}
    return {"values": values, "error": None}


def _ran_cleanly(outputs: Any) -> float:
    return 0.0 if outputs.get("error") else 1.0


def _y_tracked(outputs: Any) -> float:
    """0 when y was computed by tracked operations (it has a grad_fn, so it is not a
    leaf), 1 when y is a leaf (built untracked, or made to require grad afterwards),
    2 when there is no y at all. Three values, so that a script that never builds y is
    not mistaken for one that set requires_grad on it too late."""
    is_leaf = outputs["values"].get("y.is_leaf")
    return {False: 0.0, True: 1.0}.get(is_leaf, 2.0) if isinstance(is_leaf, bool) else 2.0


def _no_gradients(error: str | None) -> Any:
    # Both mistakes leave y a leaf with no path back to w and b.
    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        return {"values": {"w.grad": None, "b.grad": None, "y.is_leaf": True}, "error": error}

    return outputs


CHECKS = [
    Check("the script runs to the end without an exception", 1, _ran_cleanly),
    Check("y is computed from w and b with tracking on (y has a grad_fn)", 1, _y_tracked),
    Check("w.grad = dy/dw", 4, script_value("w.grad"), rtol=1e-6, atol=1e-9),
    Check("b.grad = dy/db", 4, script_value("b.grad"), rtol=1e-6, atol=1e-9),
]

MISCONCEPTIONS = [
    Misconception(
        "graph-detached-before-backward",
        "backward() was called on a result that was cut out of the graph (no_grad, "
        "detach() or requires_grad_(False) came before it), so it has no grad_fn. Compute "
        "the result with tracking on and call backward() on that (§7–8).",
        _no_gradients(f"RuntimeError: {NO_GRAD_ERROR} and does not have a grad_fn"),
    ),
    Misconception(
        "requires-grad-set-after-operation",
        "Setting requires_grad on the result after the operation silences the error, but "
        "the result is then a new leaf: backward() stops there and w, b get no gradient. "
        "Tracking must be on while the operation runs (§5, §8).",
        _no_gradients(None),
    ),
]
