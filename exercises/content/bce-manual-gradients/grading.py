"""bce-manual-gradients (notes §4): dL/dw and dL/db of the mean BCE loss, by hand.

The student's `grads` runs in the sandbox on seeded random batches; the expected pair
comes from `loss.backward()` here, in the worker. Each misconception is the pair an
answer with one wrong piece of the chain rule returns, computed here."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch

from exercises.spec import Check, Misconception, call_value, number_pair, tensor_arg

BATCHES = (("batch-1", 5), ("batch-2", 8), ("batch-3", 16))
Pair = Callable[[torch.Tensor, torch.Tensor, float, float], list[float]]


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    calls = []
    for call_id, n in BATCHES:
        x = [round(rng.uniform(-3.0, 3.0), 4) for _ in range(n)]
        y = [float(rng.random() < 0.5) for _ in range(n)]
        w, b = round(rng.uniform(-1.5, 1.5), 4), round(rng.uniform(-1.0, 1.0), 4)
        calls.append(
            {
                "id": call_id,
                "function": "grads",
                "args": [tensor_arg(x), tensor_arg(y), w, b],
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


def _autograd(x: torch.Tensor, y: torch.Tensor, w0: float, b0: float) -> list[float]:
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(w * x + b), y)
    loss.backward()
    assert w.grad is not None and b.grad is not None
    return [float(w.grad), float(b.grad)]


def _p(x: torch.Tensor, w: float, b: float) -> torch.Tensor:
    return torch.sigmoid(w * x + b)


def _with_dl_dz(dl_dz: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Pair:
    """The pair of an answer that uses `dl_dz(y_pred, y)` per example, then the right
    factors dz/dw = x, dz/db = 1 and the batch mean."""

    def pair(x: torch.Tensor, y: torch.Tensor, w: float, b: float) -> list[float]:
        g = dl_dz(_p(x, w, b), y)
        return [float((g * x).mean()), float(g.mean())]

    return pair


def _swapped(x: torch.Tensor, y: torch.Tensor, w: float, b: float) -> list[float]:
    return _autograd(x, y, w, b)[::-1]


def _summed(x: torch.Tensor, y: torch.Tensor, w: float, b: float) -> list[float]:
    return [v * x.numel() for v in _autograd(x, y, w, b)]


# Quantities next to the right one, by name: a wrong answer equal to one is named.
NEIGHBOURS: dict[str, Pair] = {
    "(dL/db, dL/dw): the pair in the other order": _swapped,
    "the sum over the batch, not the mean": _summed,
    "dL/dŷ·dz/dw, dL/dŷ·dz/db (dL/dŷ used as dL/dz)": _with_dl_dz(
        lambda p, y: (p - y) / (p * (1 - p))
    ),
}


def _per_call(f: Pair) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        return {"results": {c["id"]: {"value": f(*_args(c))} for c in inputs["calls"]}}

    return outputs


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    near = {
        words: {c["id"]: f(*_args(c)) for c in inputs["calls"]} for words, f in NEIGHBOURS.items()
    }
    return {**_per_call(_autograd)(params, inputs), "neighbours": near}


def _near(call_id: str) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    return tuple((words, lambda o, w=words: o["neighbours"][w][call_id]) for words in NEIGHBOURS)


CHECKS = [
    Check(
        f"(dL/dw, dL/db) on {name} ({n} examples)",
        10 / 3,
        number_pair(call_value(name)),
        visibility="hidden" if name == "batch-3" else "visible",
        rtol=1e-6,
        atol=1e-9,
        quantity=f"dL/dw on a batch of {n}, dL/db on a batch of {n}",
        neighbours=_near(name),
    )
    for name, n in BATCHES
]

SECTION = "(§4)"

MISCONCEPTIONS = [
    Misconception(
        "forgot-batch-mean",
        "Your gradients are n times too large: the loss is the mean over the batch, so "
        f"the gradient is a mean too (divide by n) {SECTION}.",
        _per_call(_summed),
    ),
    Misconception(
        "sign-flipped",
        f"Right size, wrong sign: dL/dz = ŷ − y, not y − ŷ {SECTION}.",
        _per_call(_with_dl_dz(lambda p, y: y - p)),
    ),
    Misconception(
        "missing-x-factor",
        "dL/dw needs the factor dz/dw = x: dL/dw is the mean of dL/dz·x, while dL/db is the "
        f"mean of dL/dz (dz/db = 1) {SECTION}.",
        _per_call(lambda x, y, w, b: [float((_p(x, w, b) - y).mean())] * 2),
    ),
    Misconception(
        "logits-for-probabilities",
        f"You used the logit z where the probability ŷ = σ(z) belongs: dL/dz = σ(z) − y {SECTION}.",
        _per_call(
            lambda x, y, w, b: [float(((w * x + b - y) * x).mean()), float((w * x + b - y).mean())]
        ),
    ),
    Misconception(
        "swapped-pair",
        "Right numbers, wrong order: you returned (dL/db, dL/dw). The pair is "
        f"(dL/dw, dL/db), and only dL/dw carries the factor x {SECTION}.",
        _per_call(_swapped),
    ),
    Misconception(
        "extra-sigmoid-derivative",
        "σ′ = ŷ(1 − ŷ) is in your gradient twice: dL/dz = dL/dŷ · dŷ/dz already contains it "
        "once, and the (ŷ − y)/(ŷ(1 − ŷ)) of dL/dŷ cancels it, so dL/dz = ŷ − y. Multiplying "
        f"ŷ − y by ŷ(1 − ŷ) again counts it twice {SECTION}.",
        _per_call(_with_dl_dz(lambda p, y: (p - y) * p * (1 - p))),
    ),
    Misconception(
        "dl-dyhat-for-dl-dz",
        "You used dL/dŷ = (ŷ − y)/(ŷ(1 − ŷ)) where dL/dz belongs: the chain rule still "
        f"multiplies by dŷ/dz = ŷ(1 − ŷ), which gives dL/dz = ŷ − y {SECTION}.",
        _per_call(_with_dl_dz(lambda p, y: (p - y) / (p * (1 - p)))),
    ),
    Misconception(
        "dz-dw-is-w",
        "You multiplied by w where dz/dw belongs: z = w·x + b changes by x for each unit of "
        f"w, so dz/dw = x, not w {SECTION}.",
        _per_call(
            lambda x, y, w, b: [
                float(((_p(x, w, b) - y) * w).mean()),
                float((_p(x, w, b) - y).mean()),
            ]
        ),
    ),
    Misconception(
        "product-of-means",
        "The mean of a product is not the product of the means: each example's dL/dz "
        "multiplies that example's own x, and only then is the batch averaged; "
        f"mean(ŷ − y) · mean(x) pairs every error with the average x {SECTION}.",
        _per_call(
            lambda x, y, w, b: [
                float((_p(x, w, b) - y).mean() * x.mean()),
                float((_p(x, w, b) - y).mean()),
            ]
        ),
    ),
]
