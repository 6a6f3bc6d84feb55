"""bce-autograd (notes §4): dL/dw and dL/db of the mean BCE loss with loss.backward().

Same seeded batches as bce-manual-gradients. The misconceptions are the ways the
*loss* gets written wrong before autograd differentiates it faithfully, and the ways
its result gets read wrong afterwards (a second backward(), the pair swapped). The
exercise requires autograd (info.json): a pair typed in by hand scores 0."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from exercises.spec import Check, Misconception, call_value, number_pair, tensor_arg

BATCHES = (("batch-1", 5), ("batch-2", 8), ("batch-3", 16))
Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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


def _pair(call: dict[str, Any], loss_of: Loss, passes: int = 1) -> list[float]:
    x_arg, y_arg, w0, b0 = call["args"]
    x = torch.tensor(x_arg["data"], dtype=torch.float64)
    y = torch.tensor(y_arg["data"], dtype=torch.float64)
    w = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    loss = loss_of(w * x + b, y)
    for _ in range(passes):
        loss.backward(retain_graph=True)
    assert w.grad is not None and b.grad is not None
    return [float(w.grad), float(b.grad)]


def _gradients(
    loss_of: Loss, passes: int = 1, swap: bool = False
) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    """Outputs of an answer that builds its loss with `loss_of(z, y)`, back-propagates
    `passes` times and returns the pair (swapped if `swap`)."""

    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        results = {}
        for call in inputs["calls"]:
            pair = _pair(call, loss_of, passes)
            results[call["id"]] = {"value": pair[::-1] if swap else pair}
        return {"results": results}

    return outputs


def _bce(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy(torch.sigmoid(z), y)


def _bce_sum(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy(torch.sigmoid(z), y, reduction="sum")


NEIGHBOURS = {
    "(dL/db, dL/dw): the pair in the other order": _gradients(_bce, swap=True),
    "the gradient of the summed loss, not the mean": _gradients(_bce_sum),
}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    near = {words: f(params, inputs)["results"] for words, f in NEIGHBOURS.items()}
    return {**_gradients(_bce)(params, inputs), "neighbours": near}


def _near(call_id: str) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    return tuple(
        (words, lambda o, w=words: o["neighbours"][w][call_id]["value"]) for words in NEIGHBOURS
    )


CHECKS = [
    Check(
        f"(dL/dw, dL/db) on {name} ({n} examples)",
        10 / 3,
        number_pair(call_value(name)),
        visibility="hidden" if name == "batch-3" else "visible",
        rtol=1e-6,
        atol=1e-9,
        quantity=f"w.grad on a batch of {n}, b.grad on a batch of {n}",
        neighbours=_near(name),
    )
    for name, n in BATCHES
]

MISCONCEPTIONS = [
    Misconception(
        "forgot-batch-mean",
        "Your gradients are n times too large: the loss is the mean over the batch, not "
        "the sum, and autograd differentiates exactly the loss you wrote (§4).",
        _gradients(_bce_sum),
    ),
    Misconception(
        "sign-flipped",
        "Right size, wrong sign: the loss is minus the log-likelihood, "
        "L = −[y·log(ŷ) + (1−y)·log(1−ŷ)] (§4).",
        _gradients(lambda z, y: -_bce(z, y)),
    ),
    Misconception(
        "probabilities-into-logits-loss",
        "Logits and probabilities are mixed up: binary_cross_entropy_with_logits applies "
        "the sigmoid itself, so it takes z, not ŷ = sigmoid(z). Use binary_cross_entropy "
        "on ŷ, or the _with_logits version on z (§4).",
        _gradients(lambda z, y: F.binary_cross_entropy_with_logits(torch.sigmoid(z), y)),
    ),
    Misconception(
        "backward-twice",
        "Your gradients are exactly twice autograd's: backward() ran twice on the same loss "
        "and every call adds to .grad (§6). Call loss.backward() once.",
        _gradients(_bce, passes=2),
    ),
    Misconception(
        "swapped-pair",
        "Right numbers, wrong order: you returned (b.grad, w.grad). The pair is "
        "(dL/dw, dL/db) = (w.grad, b.grad) (§4).",
        _gradients(_bce, swap=True),
    ),
    Misconception(
        "squared-error-loss",
        "These are the gradients of the squared error (ŷ − y)², not of the binary "
        "cross-entropy: the loss of §4 is L = −[y·log(ŷ) + (1−y)·log(1−ŷ)], averaged over the "
        "batch (F.binary_cross_entropy). Autograd differentiates exactly the loss you build "
        "(§4).",
        _gradients(lambda z, y: F.mse_loss(torch.sigmoid(z), y)),
    ),
]
