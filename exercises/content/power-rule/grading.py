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


def _values(call_ids: tuple[str, ...]) -> Any:
    getters = [call_value(c) for c in call_ids]
    return lambda outputs: [g(outputs) for g in getters]


# Quantities next to dy/dx = 2x at each point, for the feedback to name.
NEIGHBOURS = {
    "y = x² itself": lambda x0: x0 * x0,
    "x (the factor 2 dropped)": lambda x0: x0,
    "4x: two backward passes added up in x.grad": lambda x0: 4 * x0,
}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    points = {c["id"]: float(c["args"][0]) for c in inputs["calls"]}
    near = {words: {c: f(x0) for c, x0 in points.items()} for words, f in NEIGHBOURS.items()}
    return {**_per_call(_autograd_slope)(params, inputs), "neighbours": near}


def _near(call_ids: tuple[str, ...]) -> Any:
    return tuple(
        (words, lambda o, w=words: [o["neighbours"][w][c] for c in call_ids])
        for words in NEIGHBOURS
    )


CHECKS = [
    Check(
        "slope(x0) at 3 points",
        3,
        _values(VISIBLE),
        quantity="dy/dx = x.grad",
        neighbours=_near(VISIBLE),
    ),
    Check(
        "slope(x0) at 2 more points",
        2,
        _values(HIDDEN),
        visibility="hidden",
        quantity="dy/dx = x.grad",
    ),
    Check(
        "slope returns x.grad: a float32 tensor that does not require grad",
        1,
        call_value("p1"),
        strict_tensor=True,
        quantity="the value slope returns (x.grad itself)",
    ),
]


def _y(x0: float) -> torch.Tensor:
    x = torch.tensor(x0, requires_grad=True)
    return x**2


def _twice(x0: float) -> torch.Tensor:
    x = torch.tensor(x0, requires_grad=True)
    y = x**2
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad is not None
    return x.grad


def _of_the_derivative(x0: float) -> torch.Tensor:
    """The slope of y = 2x, the derivative written where the function belongs."""
    x = torch.tensor(x0, requires_grad=True)
    (2 * x).backward()
    assert x.grad is not None
    return x.grad


MISCONCEPTIONS = [
    Misconception(
        "backward-twice",
        "Your slope is twice 2x: backward() ran twice, and every call adds its gradient to "
        "x.grad (§6). Call y.backward() once.",
        _per_call(_twice),
        on_checks=("slope(x0) at 3 points",),
    ),
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
    Misconception(
        "differentiated-the-derivative",
        "Your slope is 2 at every point: your y is 2x, the derivative worked out by hand, so "
        "autograd differentiated the derivative. Build the function itself, y = x², and let "
        "backward() find its slope (§1, §5).",
        _per_call(_of_the_derivative),
        on_checks=("slope(x0) at 3 points",),
    ),
]
