"""bce-manual-gradients (notes §4): dL/dw and dL/db of the mean BCE loss, by hand.

The student's `grads` runs in the sandbox on seeded random batches; the expected pair
comes from `loss.backward()` here, in the worker."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch

from exercises.spec import Check, Misconception, call_value

BATCHES = ("batch-1", "batch-2", "batch-3")


def _batch(rng: random.Random, n: int) -> dict[str, Any]:
    x = [round(rng.uniform(-3.0, 3.0), 4) for _ in range(n)]
    y = [float(rng.random() < 0.5) for _ in range(n)]
    return {
        "x": x,
        "y": y,
        "w": round(rng.uniform(-1.5, 1.5), 4),
        "b": round(rng.uniform(-1, 1), 4),
    }


def _tensor(values: list[float]) -> dict[str, Any]:
    return {
        "__tensor__": True,
        "dtype": "float64",
        "shape": [len(values)],
        "requires_grad": False,
        "data": values,
    }


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    calls = []
    for call_id, n in zip(BATCHES, (5, 8, 16), strict=True):
        batch = _batch(rng, n)
        calls.append(
            {
                "id": call_id,
                "function": "grads",
                "args": [_tensor(batch["x"]), _tensor(batch["y"]), batch["w"], batch["b"]],
                "kwargs": {},
            }
        )
    return {"calls": calls}


def _args(call: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor, float, float]:
    x, y, w, b = call["args"]
    return (
        torch.tensor(x["data"], dtype=torch.float64),
        torch.tensor(y["data"], dtype=torch.float64),
        float(w),
        float(b),
    )


def _per_call(
    f: Callable[[torch.Tensor, torch.Tensor, float, float], list[float]],
) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        return {"results": {c["id"]: {"value": f(*_args(c))} for c in inputs["calls"]}}

    return outputs


def _autograd(x: torch.Tensor, y: torch.Tensor, w0: float, b0: float) -> list[float]:
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(w * x + b), y)
    loss.backward()
    assert w.grad is not None and b.grad is not None
    return [float(w.grad), float(b.grad)]


expected = _per_call(_autograd)

CHECKS = [
    Check(
        f"(dL/dw, dL/db) on {name} ({n} examples)",
        10 / 3,
        call_value(name),
        visibility="visible" if name != "batch-3" else "hidden",
        rtol=1e-6,
        atol=1e-9,
    )
    for name, n in zip(BATCHES, (5, 8, 16), strict=True)
]


def _p(x: torch.Tensor, w: float, b: float) -> torch.Tensor:
    return torch.sigmoid(w * x + b)


MISCONCEPTIONS = [
    Misconception(
        "forgot-batch-mean",
        "Your gradients are n times too large: the loss is the mean over the batch, so "
        "the gradient is a mean too (divide by n) (§4).",
        _per_call(
            lambda x, y, w, b: [
                float(((_p(x, w, b) - y) * x).sum()),
                float((_p(x, w, b) - y).sum()),
            ]
        ),
    ),
    Misconception(
        "sign-flipped",
        "Right size, wrong sign: dL/dz = y_pred − y, not y − y_pred (§4).",
        _per_call(
            lambda x, y, w, b: [
                float(((y - _p(x, w, b)) * x).mean()),
                float((y - _p(x, w, b)).mean()),
            ]
        ),
    ),
    Misconception(
        "missing-x-factor",
        "dL/dw needs the factor dz/dw = x: dL/dw = (y_pred − y)·x, while dL/db = y_pred − y (§4).",
        _per_call(
            lambda x, y, w, b: [float((_p(x, w, b) - y).mean()), float((_p(x, w, b) - y).mean())]
        ),
    ),
    Misconception(
        "logits-for-probabilities",
        "You used the logit z where the probability y_pred = sigmoid(z) belongs: "
        "dL/dz = sigmoid(z) − y (§4).",
        _per_call(
            lambda x, y, w, b: [float(((w * x + b - y) * x).mean()), float((w * x + b - y).mean())]
        ),
    ),
]
