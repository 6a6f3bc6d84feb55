"""power-rule (notes §1): dy/dx of y = x², by hand at the student's own point, then
with autograd.

The numeric part is graded in the trusted process against the variant's `slope`. The
code part's `slope(x0)` runs in the sandbox at seeded points; the expected values are
autograd's, computed here."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, call_value

VISIBLE = ("p1", "p2", "p3")
HIDDEN = ("p4", "p5")


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    calls = [
        {
            "id": call_id,
            "function": "slope",
            "args": [round(rng.uniform(-4.0, 4.0), 3)],
            "kwargs": {},
        }
        for call_id in VISIBLE + HIDDEN
    ]
    return {"calls": calls}


def _autograd_slope(x0: float) -> torch.Tensor:
    x = torch.tensor(x0, requires_grad=True)
    (x**2).backward()
    assert x.grad is not None
    return x.grad


def _per_call(f: Any) -> Any:
    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        return {"results": {c["id"]: {"value": f(float(c["args"][0]))} for c in inputs["calls"]}}

    return outputs


expected = _per_call(_autograd_slope)


def _values(call_ids: tuple[str, ...]) -> Any:
    getters = [call_value(c) for c in call_ids]
    return lambda outputs: [g(outputs) for g in getters]


CHECKS = [
    Check("slope(x0) at 3 points", 3, _values(VISIBLE)),
    Check("slope(x0) at 2 more points", 2, _values(HIDDEN), visibility="hidden"),
    Check(
        "slope returns x.grad: a float32 tensor that does not require grad",
        1,
        call_value("p1"),
        strict_tensor=True,
    ),
]


def _y(x0: float) -> torch.Tensor:
    x = torch.tensor(x0, requires_grad=True)
    return x**2


MISCONCEPTIONS = [
    Misconception(
        "returned-y-not-gradient",
        "Your function returns y = x² itself. After y.backward() the slope is in x.grad: "
        "return that (§5).",
        _per_call(_y),
        on_checks=("slope(x0) at 3 points",),
    ),
    Misconception(
        "grad-read-before-backward",
        "Your function returns None: x.grad stays None until backward() has run on y. "
        "Call y.backward() first, then read x.grad (§5).",
        _per_call(lambda x0: None),
        on_checks=("slope(x0) at 3 points",),
    ),
]
