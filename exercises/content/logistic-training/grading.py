"""logistic-training (notes §4–§7): the capstone. The lecture's logistic model with the
mean BCE loss: the gradients at the start by hand and by autograd (they must agree),
then `steps` steps of gradient descent with autograd, clearing the gradients each step.

The student's script runs in the sandbox on seeded data, learning rate and number of
steps; the two starting gradients, w and b after the loop, the losses and the final
.grad are read back and compared with a correct run made here. The misconceptions are
the loop with one slip (a stale .grad, a stray detach, an update in place outside
no_grad, ...), simulated exactly. The exercise requires autograd: a script that never
runs backward() scores 0."""

from __future__ import annotations

import random
from typing import Any

import torch
import torch.nn.functional as F

from exercises.spec import Check, Misconception, number_pair, script_value

READ = ["manual_grads", "auto_grads", "w", "b", "losses", "w.grad", "b.grad"]
# Seeded, and none of the round ones students type in (0.1, 0.01, 0.5).
LEARNING_RATES = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
INPLACE_ERROR = (
    "RuntimeError: a leaf Variable that requires grad is being used in an in-place operation."
)


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = rng.randint(8, 12)
    w_true, b_true = rng.choice((-1, 1)) * rng.uniform(1.0, 2.5), rng.uniform(-0.5, 0.5)
    x = [round(rng.uniform(-2.0, 2.0), 3) for _ in range(n)]
    y = [float(rng.random() < 1 / (1 + pow(2.718281828, -(w_true * xi + b_true)))) for xi in x]
    return {
        "globals": {
            "x_values": x,
            "y_values": y,
            "w0": round(rng.uniform(-0.5, 0.5), 3),
            "b0": round(rng.uniform(-0.5, 0.5), 3),
            "lr": rng.choice(LEARNING_RATES),
            "steps": rng.randint(5, 8),
        },
        "read": READ,
    }


def _manual(x: torch.Tensor, y: torch.Tensor, w: float, b: float, how: str = "") -> list[float]:
    p = torch.sigmoid(w * x + b)
    dl_dz = p - y
    if how == "sum":
        return [float((dl_dz * x).sum()), float(dl_dz.sum())]
    if how == "extra-sigma-prime":
        dl_dz = dl_dz * p * (1 - p)
    return [float((dl_dz * x).mean()), float(dl_dz.mean())]


def _run(g: dict[str, Any], slip: str = "") -> dict[str, Any]:
    """A correct script, or one with `slip`: "never-cleared", "cleared-after-step",
    "w-detached", "in-place-update", "loss-after-update", "auto-backward-twice",
    "auto-grads-not-copied", "manual-sum", "manual-extra-sigma-prime"."""
    x = torch.tensor(g["x_values"], dtype=torch.float64)
    y = torch.tensor(g["y_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)

    def loss_of(w_used: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy(torch.sigmoid(w_used * x + b), y)

    manual_how = slip.removeprefix("manual-") if slip.startswith("manual-") else ""
    manual = _manual(x, y, g["w0"], g["b0"], manual_how)
    start = loss_of(w)
    start.backward(retain_graph=True)
    if slip == "auto-backward-twice":
        start.backward()
    assert w.grad is not None and b.grad is not None
    auto: Any = [w.grad.item(), b.grad.item()]
    losses: list[float] = []
    error = None
    for _ in range(g["steps"]):
        if slip not in ("never-cleared", "cleared-after-step"):
            w.grad.zero_()
            b.grad.zero_()
        loss = loss_of(w.detach() if slip == "w-detached" else w)
        loss.backward()
        if slip == "in-place-update":
            error = INPLACE_ERROR  # `w -= lr * w.grad` on a leaf, outside no_grad
            break
        with torch.no_grad():
            w -= g["lr"] * w.grad
            b -= g["lr"] * b.grad
        if slip == "cleared-after-step":
            w.grad.zero_()
            b.grad.zero_()
        losses.append(loss_of(w).item() if slip == "loss-after-update" else loss.item())
    if slip == "auto-grads-not-copied":
        auto = [w.grad.item(), b.grad.item()]
    values = {
        "manual_grads": manual,
        "auto_grads": auto,
        "w": w.detach().clone(),
        "b": b.detach().clone(),
        "losses": losses,
        "w.grad": w.grad.clone(),
        "b.grad": b.grad.clone(),
    }
    return {"values": values, "error": error}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    g = inputs["globals"]
    right = _run(g)
    grads = right["values"]["auto_grads"]
    right["neighbours"] = {
        "(dL/db, dL/dw): the pair in the other order": grads[::-1],
        "(w0, b0): where the parameters started": [g["w0"], g["b0"]],
    }
    return right


def _params(outputs: Any) -> list[Any]:
    return [outputs["values"]["w"], outputs["values"]["b"]]


def _final_grads(outputs: Any) -> list[Any]:
    values = outputs["values"]
    return [0.0 if values[p] is None else values[p] for p in ("w.grad", "b.grad")]


def _loss_falls(outputs: Any) -> float:
    losses = outputs["values"].get("losses")
    try:
        return 1.0 if len(losses) >= 2 and float(losses[-1]) < float(losses[0]) else 0.0
    except (TypeError, ValueError):
        return 0.0


def _near(*words: str) -> tuple[tuple[str, Any], ...]:
    return tuple((w, lambda o, w=w: o["neighbours"][w]) for w in words)


MANUAL = "manual_grads = (dL/dw, dL/db) at the start, by hand"
AUTO = "auto_grads = (w.grad, b.grad) at the start, from loss.backward()"
PARAMS = "(w, b) after the loop"
LOSSES = "the loss at every step"
FALLS = "the loss falls over the steps"
GRADS = "(w.grad, b.grad) after the loop: the last step's gradient"

CHECKS = [
    Check(
        MANUAL,
        2,
        number_pair(script_value("manual_grads")),
        rtol=1e-6,
        atol=1e-9,
        quantity="dL/dw by hand at the start, dL/db by hand at the start",
        neighbours=_near("(dL/db, dL/dw): the pair in the other order"),
    ),
    Check(
        AUTO,
        2,
        number_pair(script_value("auto_grads")),
        rtol=1e-6,
        atol=1e-9,
        quantity="w.grad at the start, b.grad at the start",
        neighbours=_near("(dL/db, dL/dw): the pair in the other order"),
    ),
    Check(
        PARAMS,
        3,
        _params,
        rtol=1e-6,
        atol=1e-9,
        quantity="w after the last step, b after the last step",
        neighbours=_near("(w0, b0): where the parameters started"),
    ),
    Check(
        LOSSES,
        1,
        script_value("losses"),
        rtol=1e-6,
        atol=1e-9,
        quantity="the loss of each step (before its update)",
        per_step=True,
    ),
    Check(
        FALLS,
        1,
        _loss_falls,
        quantity="the last loss compared with the first",
        if_false="The loss did not fall from the first step to the last: the parameters "
        "were not updated against the gradient (§4, §6).",
    ),
    Check(
        GRADS,
        1,
        _final_grads,
        rtol=1e-6,
        atol=1e-9,
        quantity="w.grad after the loop, b.grad after the loop",
    ),
]


def _slip(slip: str) -> Any:
    return lambda params, inputs: _run(inputs["globals"], slip)


MISCONCEPTIONS = [
    Misconception(
        "never-cleared",
        "A stale .grad: the gradients are never cleared, so each backward() adds to what the "
        "start's loss.backward() and the earlier steps left, and every update is too large. "
        "Clear w.grad and b.grad at the start of every step (§6).",
        _slip("never-cleared"),
        on_checks=(PARAMS,),
    ),
    Misconception(
        "cleared-after-step",
        "A stale .grad at the first step: the gradient of the start's loss.backward() was "
        "still in .grad when the first step added its own, so the first update was twice "
        "the right size (and .grad is empty after the loop). Clear before each backward() "
        "(§6).",
        _slip("cleared-after-step"),
        on_checks=(PARAMS,),
    ),
    Misconception(
        "w-detached",
        "w never moved while b trained: a stray detach() on w in the forward pass cut it out "
        "of the graph, so backward() gave it a zero gradient. Use w itself in the loss; "
        "detach only what is not trained (§7).",
        _slip("w-detached"),
        on_checks=(PARAMS,),
    ),
    Misconception(
        "in-place-update",
        "The update w -= lr * w.grad ran with tracking on: an in-place change of a leaf that "
        "requires grad is refused (RuntimeError), so the loop stopped at its first step. "
        "Do the update inside `with torch.no_grad():` (§7).",
        _slip("in-place-update"),
        on_checks=(PARAMS, GRADS),
    ),
    Misconception(
        "loss-after-update",
        "w and b are right, but each recorded loss is the one after that step's update: "
        "record the loss you called backward() on (§6).",
        _slip("loss-after-update"),
        on_checks=(PARAMS, LOSSES),
    ),
    Misconception(
        "auto-grads-not-copied",
        "auto_grads holds the tensors w.grad and b.grad themselves, and the loop changed them "
        "in place afterwards (zero_(), backward()): it shows the last step's gradient. Keep "
        "numbers: (w.grad.item(), b.grad.item()) or .clone() (§6).",
        _slip("auto-grads-not-copied"),
        on_checks=(AUTO,),
    ),
    Misconception(
        "auto-backward-twice",
        "auto_grads is twice the gradient: backward() ran twice on the starting loss and "
        "every call adds to .grad (§6).",
        _slip("auto-backward-twice"),
        on_checks=(AUTO,),
    ),
    Misconception(
        "manual-sum",
        "Your gradients by hand are n times autograd's: the loss is the mean over the batch, "
        "so dL/dw and dL/db are means too (§4).",
        _slip("manual-sum"),
        on_checks=(MANUAL,),
    ),
    Misconception(
        "manual-extra-sigma-prime",
        "Your gradients by hand have σ′ = ŷ(1 − ŷ) twice: dL/dz = ŷ − y already contains "
        "it. dL/dw is the mean of (ŷ − y)·x (§4).",
        _slip("manual-extra-sigma-prime"),
        on_checks=(MANUAL,),
    ),
]
