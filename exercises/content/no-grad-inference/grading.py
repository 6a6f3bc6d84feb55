"""no-grad-inference (notes §7): evaluate a model without tracking, and know what each
of the three ways (requires_grad_(False), detach(), no_grad()) does.

The script runs in the sandbox; preds (with its requires_grad), w/b.requires_grad and
the gradients are read back. The three questions are choice parts (info.json)."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

READ = ["preds", "w.requires_grad", "b.requires_grad", "w.grad", "b.grad"]


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = rng.randint(5, 8)
    x_train = [round(rng.uniform(-2.0, 2.0), 3) for _ in range(n)]
    return {
        "globals": {
            "x_train_values": x_train,
            "y_train_values": [round(1.5 * x - 0.5 + rng.gauss(0.0, 0.3), 3) for x in x_train],
            "x_test_values": [round(rng.uniform(-2.0, 2.0), 3) for _ in range(rng.randint(3, 6))],
            "w0": round(rng.uniform(-1.0, 1.0), 3),
            "b0": round(rng.uniform(-1.0, 1.0), 3),
        },
        "read": READ,
    }


def _evaluate(
    g: dict[str, Any], *, preds_track: bool = False, params_track: bool = True
) -> dict[str, Any]:
    x_train = torch.tensor(g["x_train_values"], dtype=torch.float64)
    y_train = torch.tensor(g["y_train_values"], dtype=torch.float64)
    x_test = torch.tensor(g["x_test_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)
    ((w * x_train + b - y_train) ** 2).mean().backward()
    with torch.set_grad_enabled(preds_track):
        preds = w * x_test + b
    return {
        "values": {
            "preds": preds,
            "w.requires_grad": params_track,
            "b.requires_grad": params_track,
            "w.grad": w.grad,
            "b.grad": b.grad,
        },
        "error": None,
    }


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return _evaluate(inputs["globals"])


def _trainable(outputs: Any) -> list[float]:
    values = outputs["values"]
    return [1.0 if values.get(f"{p}.requires_grad") is True else 0.0 for p in ("w", "b")]


def _grads(outputs: Any) -> list[Any]:
    return [outputs["values"]["w.grad"], outputs["values"]["b.grad"]]


CHECKS = [
    Check("preds = w·x_test + b", 2, script_value("preds")),
    Check("preds does not track gradients", 2, script_value("preds"), strict_tensor=True),
    Check("w and b can still be trained (requires_grad is True)", 2, _trainable),
    Check("w.grad and b.grad are the training gradients, unchanged", 1, _grads),
]

MISCONCEPTIONS = [
    Misconception(
        "still-tracking",
        "preds still requires grad: the evaluation built a graph. Compute it inside "
        "`with torch.no_grad():` (or detach the result) (§7).",
        lambda params, inputs: _evaluate(inputs["globals"], preds_track=True),
        on_checks=("preds does not track gradients",),
    ),
    Misconception(
        "tracking-turned-off-permanently",
        "preds is right, but w and b no longer require grad: requires_grad_(False) is in "
        "place and permanent, so the next training step would not train them. For "
        "evaluation, no_grad() (temporary) or detach() (a new tensor) is the tool (§7).",
        lambda params, inputs: _evaluate(inputs["globals"], params_track=False),
        on_checks=("w and b can still be trained (requires_grad is True)",),
    ),
]
