"""gradient-accumulation (notes §6): fix a training loop that never clears gradients.

The student's script runs in the sandbox on seeded data; w, b, their final .grad and
the losses are read back and compared with a correct run made here. Each
misconception is the same loop with the clearing in a wrong place (or nowhere),
simulated exactly, so the parameters it produces identify it."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

READ = ["w", "b", "w.grad", "b.grad", "losses"]


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    n = rng.randint(6, 10)
    slope, intercept = rng.uniform(-2.0, 2.0), rng.uniform(-1.0, 1.0)
    x = [round(rng.uniform(-2.0, 2.0), 3) for _ in range(n)]
    y = [round(slope * xi + intercept + rng.gauss(0.0, 0.2), 3) for xi in x]
    return {
        "globals": {
            "x_values": x,
            "y_values": y,
            "w0": round(rng.uniform(-1.0, 1.0), 3),
            "b0": round(rng.uniform(-1.0, 1.0), 3),
            "lr": 0.05,
            "steps": rng.randint(4, 7),
        },
        "read": READ,
    }


def _train(g: dict[str, Any], clear: str) -> dict[str, Any]:
    """The starter's loop, with the gradients cleared at `clear`: "before-backward"
    (right), "never", "after-step" or "between-backward-and-step"."""
    x = torch.tensor(g["x_values"], dtype=torch.float64)
    y = torch.tensor(g["y_values"], dtype=torch.float64)
    w = torch.tensor(g["w0"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(g["b0"], dtype=torch.float64, requires_grad=True)
    ((w * x + b - y) ** 2).mean().backward()
    assert w.grad is not None and b.grad is not None

    def zero() -> None:
        assert w.grad is not None and b.grad is not None
        w.grad.zero_()
        b.grad.zero_()

    losses = []
    for _ in range(g["steps"]):
        if clear == "before-backward":
            zero()
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        if clear == "between-backward-and-step":
            zero()
        with torch.no_grad():
            w -= g["lr"] * w.grad
            b -= g["lr"] * b.grad
        if clear == "after-step":
            zero()
        losses.append(loss.item())
    values = {"w": w.detach(), "b": b.detach(), "w.grad": w.grad.clone(), "b.grad": b.grad.clone()}
    return {"values": {**values, "losses": losses}, "error": None}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    return _train(inputs["globals"], "before-backward")


def _final_grads(outputs: Any) -> list[Any]:
    return [outputs["values"]["w.grad"], outputs["values"]["b.grad"]]


CHECKS = [
    Check("w after the loop", 3, script_value("w"), rtol=1e-6, atol=1e-9),
    Check("b after the loop", 3, script_value("b"), rtol=1e-6, atol=1e-9),
    Check(
        "w.grad, b.grad after the loop: the last step's gradient",
        2,
        _final_grads,
        rtol=1e-6,
        atol=1e-9,
    ),
    Check(
        "the loss at every step",
        2,
        script_value("losses"),
        # Its feedback (which step's loss first differs) shows once the due date has passed.
        visibility="after_due_date",
        rtol=1e-6,
        atol=1e-9,
    ),
]
ON = ("w after the loop", "b after the loop")


def _simulated(clear: str) -> Any:
    return lambda params, inputs: _train(inputs["globals"], clear)


MISCONCEPTIONS = [
    Misconception(
        "never-zeroed",
        "Your parameters moved as if each step's gradient were the sum of all earlier ones "
        "(k times too large by step k): backward() adds to .grad. Clear the gradients "
        "every step, before backward() (§6).",
        _simulated("never"),
        on_checks=ON,
    ),
    Misconception(
        "zeroed-after-step",
        "You clear the gradients after step() instead of before backward(): the first "
        "update still used the gradient left over from the sanity check (twice the right "
        "size), and .grad is empty after the loop. Clear right before backward() (§6).",
        _simulated("after-step"),
        on_checks=ON,
    ),
    Misconception(
        "zeroed-between-backward-and-step",
        "w and b never moved: the gradients were cleared after backward() but before the "
        "update, so every update used zero. Clear before backward(), update after (§6).",
        _simulated("between-backward-and-step"),
        on_checks=ON,
    ),
]
