"""no-grad-inference (notes §7): evaluate a model without tracking, and know what each
of the three ways (requires_grad_(False), detach(), no_grad()) does.

The script runs in the sandbox; preds (with its requires_grad), w/b.requires_grad and
the gradients are read back. The three questions are choice parts (info.json).

Keeping w and b trainable and their gradients unchanged is credited only together with
an evaluation that does not track: the starter already leaves them alone, and leaving
the task undone must not earn points for doing no harm."""

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
    g: dict[str, Any],
    *,
    preds_track: bool = False,
    params_track: bool = True,
    clear_grads: bool = False,
) -> dict[str, Any]:
    x_train = torch.tensor(g["x_train_values"], dtype=torch.float64)
    y_train = torch.tensor(g["y_train_values"], dtype=torch.float64)
    x_test = torch.tensor(g["x_test_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)
    ((w * x_train + b - y_train) ** 2).mean().backward()
    assert w.grad is not None and b.grad is not None
    if clear_grads:
        w.grad.zero_()
        b.grad.zero_()
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


def _preds_tracks(outputs: Any) -> float:
    preds = outputs["values"].get("preds")
    return 1.0 if getattr(preds, "requires_grad", False) is True else 0.0


def _untracked_evaluation(outputs: Any) -> bool:
    preds = outputs["values"].get("preds")
    return isinstance(preds, torch.Tensor) and not preds.requires_grad


def _trainable(outputs: Any) -> Any:
    if not _untracked_evaluation(outputs):
        return None  # not credited until preds is computed without tracking
    values = outputs["values"]
    return 1.0 if all(values.get(f"{p}.requires_grad") is True for p in ("w", "b")) else 0.0


def _grads(outputs: Any) -> Any:
    if not _untracked_evaluation(outputs):
        return None
    return [outputs["values"]["w.grad"], outputs["values"]["b.grad"]]


PREDS = "preds = w·x_test + b"
UNTRACKED = "preds does not track gradients"
TRAINABLE = "with preds untracked, w and b can still be trained (requires_grad is True)"
GRADS = "with preds untracked, w.grad and b.grad are the training gradients, unchanged"

CHECKS = [
    Check(PREDS, 1, script_value("preds"), quantity="preds"),
    Check(
        UNTRACKED,
        3,
        _preds_tracks,
        quantity="preds.requires_grad",
        if_true="preds still requires grad: the evaluation built a graph (§7).",
    ),
    Check(
        TRAINABLE,
        2,
        _trainable,
        quantity="w.requires_grad and b.requires_grad",
        if_false="w or b no longer requires grad: requires_grad_(False) switched their "
        "tracking off for good, so they cannot be trained any more (§7).",
    ),
    Check(GRADS, 1, _grads, quantity="w.grad after the evaluation, b.grad after the evaluation"),
]

MISCONCEPTIONS = [
    Misconception(
        "still-tracking",
        "preds still requires grad: the evaluation built a graph. Compute it inside "
        "`with torch.no_grad():` (or detach the result) (§7).",
        lambda params, inputs: _evaluate(inputs["globals"], preds_track=True),
        on_checks=(UNTRACKED,),
    ),
    Misconception(
        "tracking-turned-off-permanently",
        "preds is right, but w and b no longer require grad: requires_grad_(False) is in "
        "place and permanent, so the next training step would not train them. For "
        "evaluation, no_grad() (temporary) or detach() (a new tensor) is the tool (§7).",
        lambda params, inputs: _evaluate(inputs["globals"], params_track=False),
        on_checks=(UNTRACKED, TRAINABLE),
    ),
    Misconception(
        "cleared-training-gradients",
        "preds is computed without tracking, but w.grad and b.grad were cleared on the way: "
        "evaluation needs no zero_grad(), and the training step's gradients must stay as "
        "they were (§6, §7).",
        lambda params, inputs: _evaluate(inputs["globals"], clear_grads=True),
        on_checks=(UNTRACKED, GRADS),
    ),
]
