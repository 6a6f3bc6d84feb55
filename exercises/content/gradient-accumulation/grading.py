"""gradient-accumulation (notes §6): fix a training loop that never clears gradients.

The student's script runs in the sandbox on seeded data, with a seeded learning rate
and number of steps; w, b, their final .grad and the losses are read back and compared
with a correct run made here. Each misconception is the same loop with the clearing in
another place (or nowhere), or another slip, simulated exactly, so the parameters it
produces identify it."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

READ = ["w", "b", "w.grad", "b.grad", "losses"]
# Learning rates a student's run may get: never one number that a hard-coded lr could
# match for everyone, and none of the round ones students type in (0.1, 0.05, 0.01).
LEARNING_RATES = (0.02, 0.03, 0.04, 0.06, 0.07, 0.08, 0.09, 0.12)


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
            "lr": rng.choice(LEARNING_RATES),
            "steps": rng.randint(4, 7),
        },
        "read": READ,
    }


def _train(
    g: dict[str, Any], clear: str, *, passes: int = 1, loss_after: bool = False
) -> dict[str, Any]:
    """The starter's loop, with the gradients cleared at `clear`: "before-backward"
    (right), "never", "once-before-loop", "after-step" (the sanity check's gradient is
    still there at the first step), "after-step-and-sanity" (cleared after the sanity
    check and after every step) or "between-backward-and-step"; `passes` backward()
    calls per step; `loss_after`: the loss recorded after the update."""
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

    if clear in ("once-before-loop", "after-step-and-sanity"):
        zero()
    losses = []
    for _ in range(g["steps"]):
        if clear == "before-backward":
            zero()
        loss = ((w * x + b - y) ** 2).mean()
        for _ in range(passes):
            loss.backward(retain_graph=True)
        if clear == "between-backward-and-step":
            zero()
        with torch.no_grad():
            w -= g["lr"] * w.grad
            b -= g["lr"] * b.grad
        if clear in ("after-step", "after-step-and-sanity"):
            zero()
        if loss_after:
            loss = ((w * x + b - y) ** 2).mean()
        losses.append(loss.item())
    values = {"w": w.detach(), "b": b.detach(), "w.grad": w.grad.clone(), "b.grad": b.grad.clone()}
    return {"values": {**values, "losses": losses}, "error": None}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    g = inputs["globals"]
    right = _train(g, "before-backward")
    never = _train(g, "never")["values"]
    right["neighbours"] = {
        "w0, where w started (no update took effect)": g["w0"],
        "b0, where b started (no update took effect)": g["b0"],
        "w when the gradients are never cleared": never["w"],
        "b when the gradients are never cleared": never["b"],
    }
    return right


def _final_grads(outputs: Any) -> list[Any]:
    """The gradients the logger reads. A cleared gradient is 0 whether zero_() made it
    zero or zero_grad() set it to None: either way the logger reads no gradient."""
    values = outputs["values"]
    return [0.0 if values[p] is None else values[p] for p in ("w.grad", "b.grad")]


def _near(*words: str) -> tuple[tuple[str, Any], ...]:
    return tuple((w, lambda o, w=w: o["neighbours"][w]) for w in words)


W, B = "w after the loop", "b after the loop"
GRADS = "w.grad, b.grad after the loop: the last step's gradient"
LOSSES = "the loss at every step"

CHECKS = [
    Check(
        W,
        3,
        script_value("w"),
        rtol=1e-6,
        atol=1e-9,
        quantity="w after the last step",
        neighbours=_near(
            "w0, where w started (no update took effect)", "w when the gradients are never cleared"
        ),
    ),
    Check(
        B,
        3,
        script_value("b"),
        rtol=1e-6,
        atol=1e-9,
        quantity="b after the last step",
        neighbours=_near(
            "b0, where b started (no update took effect)", "b when the gradients are never cleared"
        ),
    ),
    Check(
        GRADS,
        2,
        _final_grads,
        rtol=1e-6,
        atol=1e-9,
        quantity="w.grad after the loop, b.grad after the loop",
    ),
    Check(
        LOSSES,
        2,
        script_value("losses"),
        rtol=1e-6,
        atol=1e-9,
        quantity="the loss recorded at each step (before that step's update)",
        per_step=True,
    ),
]
ON = (W, B)


def _simulated(clear: str, **how: Any) -> Any:
    return lambda params, inputs: _train(inputs["globals"], clear, **how)


MISCONCEPTIONS = [
    Misconception(
        "never-zeroed",
        "Your parameters moved as if each step's gradient were the sum of all earlier ones: "
        "backward() adds to .grad, so at step k the update used k + 1 gradients (the sanity "
        "check's and one per step so far). Clear the gradients every step, before "
        "backward() (§6).",
        _simulated("never"),
        on_checks=ON,
    ),
    Misconception(
        "cleared-once-before-loop",
        "The gradients are cleared once, before the loop, and then never again: from the "
        "second step on, each update adds up all the steps' gradients so far. Clearing "
        "belongs inside the loop, every step, before backward() (§6).",
        _simulated("once-before-loop"),
        on_checks=ON,
    ),
    Misconception(
        "zeroed-after-step",
        "Clearing after the update (step(), then zero_grad()) is a usual order, but here the "
        "sanity check's gradient was still in .grad when the first step added its own, so "
        "the first update was twice the right size. Clear before backward() inside the "
        "loop, which also keeps .grad for the statement's logger after the loop (§6).",
        _simulated("after-step"),
        on_checks=ON,
    ),
    Misconception(
        "zeroed-after-step-logger-rule",
        "Your loop trains correctly: clearing after step() is a usual order. It misses one "
        "rule of this statement only: a logger reads w.grad and b.grad after the loop, and "
        "they must hold the last step's gradient, which your order has just cleared. Clear "
        "at the start of each step instead, before backward() (§6).",
        _simulated("after-step-and-sanity"),
        on_checks=(W, B, GRADS),
    ),
    Misconception(
        "zeroed-between-backward-and-step",
        "w and b never moved: the gradients were cleared after backward() but before the "
        "update, so every update used zero. Clear before backward(), update after (§6).",
        _simulated("between-backward-and-step"),
        on_checks=ON,
    ),
    Misconception(
        "backward-twice-per-step",
        "Each update used twice the step's gradient: backward() ran twice per step and "
        "every call adds to .grad. One backward() per step, after clearing (§6).",
        _simulated("before-backward", passes=2),
        on_checks=ON,
    ),
    Misconception(
        "loss-recorded-after-update",
        "w and b are right, but each recorded loss is the one after that step's update: "
        "record the loss you called backward() on, computed before the update (§6).",
        _simulated("before-backward", loss_after=True),
        on_checks=(W, B, LOSSES),
    ),
]
