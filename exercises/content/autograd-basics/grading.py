"""autograd-basics (notes §3, §5): requires_grad, backward() and .grad on z = sin(x²).

The student's script runs in the sandbox with `x0` given; x (is it a leaf that tracks?),
whether y and z were recorded in the graph, z and x.grad are read back and compared
with what the same steps give here. The facts about the graph are what tell apart the
ways x.grad stays empty: x never tracked, x not a leaf, y computed under no_grad, z
detached, or backward() never called. The grad_fn question is a choice part
(info.json), graded in the trusted process."""

from __future__ import annotations

import random
from typing import Any

import torch

from exercises.spec import Check, Misconception, script_value

READ = ["x.requires_grad", "x.is_leaf", "y.requires_grad", "z.requires_grad", "z", "x.grad"]
NO_GRAD_ERROR = (
    "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"
)


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    # |x0| >= 0.5 keeps 2x·cos(x²) clearly apart from 2x (the backward-from-y mistake).
    x0 = round(rng.uniform(0.5, 2.0), 3) * rng.choice((-1, 1))
    # "graph": the result card draws the graph the script built from z, next to ours.
    return {"globals": {"x0": x0}, "read": READ, "graph": ["z"]}


def _run(
    x0: float,
    *,
    track: bool = True,
    backward_from: str = "z",
    passes: int = 1,
    leaf: bool = True,
    cut: str = "",
    form: str = "sin(x²)",
) -> dict[str, Any]:
    """The steps of §5 with one thing changed: x not tracking, x computed (not a leaf),
    the graph cut (`cut`: "y-no-grad" or "z-detached"), backward from y, from y and then
    z ("y+z") or not at all, run `passes` times, or another function built (`form`:
    "sin(x)²" or "sin(2x)")."""
    x = torch.tensor(x0, requires_grad=track)
    if not leaf:
        x = x * 1.0
    if cut == "y-no-grad":
        with torch.no_grad():
            y = x**2
    elif form == "sin(2x)":
        y = x * 2
    elif form == "sin(x)²":
        y = torch.sin(x)
    else:
        y = x**2
    z = y**2 if form == "sin(x)²" else torch.sin(y)
    if cut == "z-detached":
        z = z.detach()
    error = None
    try:
        for _ in range(passes):
            if backward_from == "z":
                z.backward(retain_graph=True)
            elif backward_from == "y":
                y.backward(retain_graph=True)
            elif backward_from == "y+z":
                y.backward(retain_graph=True)
                z.backward(retain_graph=True)
    except RuntimeError:
        error = NO_GRAD_ERROR
    values = {
        "x.requires_grad": x.requires_grad,
        "x.is_leaf": x.is_leaf,
        "y.requires_grad": y.requires_grad,
        "z.requires_grad": z.requires_grad,
        "z": z.detach(),
        "x.grad": x.grad if x.is_leaf else None,
    }
    # The graph the reference built, drawn next to the student's on the result card.
    return {"values": values, "error": error, "graph_tensors": {"x": x, "y": y, "z": z}}


def _dz_dx_neighbours(x0: float) -> dict[str, float]:
    return {
        "dy/dx = 2x (backward from y)": 2 * x0,
        "twice dz/dx (two backward passes)": float(_run(x0, passes=2)["values"]["x.grad"]),
    }


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    x0 = inputs["globals"]["x0"]
    return {**_run(x0), "neighbours": _dz_dx_neighbours(x0)}


def _tracking_leaf(outputs: Any) -> float:
    values = outputs["values"]
    return 1.0 if values.get("x.requires_grad") is True and values.get("x.is_leaf") is True else 0.0


def _recorded(outputs: Any) -> list[float]:
    """[y recorded, z recorded]. A script that computes z = sin(x**2) without naming y
    is graded on z for both: z can only be recorded if its input was."""
    values = outputs["values"]
    z = 1.0 if values.get("z.requires_grad") is True else 0.0
    y = values.get("y.requires_grad")
    return [1.0 if y is True else 0.0 if y is False else z, z]


X_LEAF = "x is a leaf that tracks gradients (requires_grad=True when created)"
GRAPH = "y and z are recorded in the graph (they require grad)"
Z = "z = sin(x²)"
GRAD = "x.grad = dz/dx"

CHECKS = [
    Check(
        X_LEAF,
        2,
        _tracking_leaf,
        quantity="x",
        if_false="x is not a leaf that tracks gradients: it must be created with "
        "torch.tensor(x0, requires_grad=True) itself, not computed from another tensor "
        "(§5, step 1).",
    ),
    Check(
        GRAPH,
        1,
        _recorded,
        quantity="y.requires_grad, z.requires_grad",
    ),
    Check(Z, 1, script_value("z"), quantity="z"),
    Check(
        GRAD,
        4,
        script_value("x.grad"),
        quantity="x.grad (dz/dx)",
        neighbours=tuple(
            (words, lambda o, w=words: o["neighbours"][w])
            for words in ("dy/dx = 2x (backward from y)", "twice dz/dx (two backward passes)")
        ),
    ),
]


def _simulated(**how: Any) -> Any:
    return lambda params, inputs: _run(inputs["globals"]["x0"], **how)


MISCONCEPTIONS = [
    Misconception(
        "tracking-not-started",
        "x was created without requires_grad=True, so nothing was recorded and z has no "
        "grad_fn to walk back through. Tracking must start when x is created (§5, step 1).",
        _simulated(track=False, backward_from=""),
        on_checks=(X_LEAF, GRAPH, GRAD),
    ),
    Misconception(
        "x-not-a-leaf",
        "z.backward() ran, but x is not a leaf: it was computed from another tensor "
        "(e.g. torch.tensor(x0, requires_grad=True) * 1 or .double()), and backward() keeps "
        ".grad only on leaves. Create x itself with requires_grad=True (§3, §5).",
        _simulated(leaf=False),
        on_checks=(X_LEAF, GRAPH, GRAD),
    ),
    Misconception(
        "y-computed-under-no-grad",
        "y = x² was computed inside torch.no_grad(), so y and z recorded nothing and "
        "z.backward() had no graph to walk back through (the RuntimeError of §8). Compute "
        "them with tracking on (§7).",
        _simulated(cut="y-no-grad"),
        on_checks=(X_LEAF, GRAPH, GRAD),
    ),
    Misconception(
        "z-detached",
        "z was detached from the graph (detach() makes a new tensor that records nothing), "
        "so z.backward() could not reach x (the RuntimeError of §8). Call backward() on the "
        "z computed from y with tracking on (§7).",
        _simulated(cut="z-detached"),
        on_checks=(X_LEAF, GRAPH, GRAD),
    ),
    Misconception(
        "backward-not-called",
        "x tracks gradients and z is in the graph, but x.grad is still None: nothing "
        "called z.backward(), and the gradient is only computed then (§5, steps 3–4).",
        _simulated(backward_from=""),
        on_checks=(X_LEAF, GRAPH, GRAD),
    ),
    Misconception(
        "backward-from-intermediate",
        "x.grad is 2x, which is dy/dx: backward() was called on y, not on the output z. "
        "Call it on the final result so the whole graph is walked (§3, §5).",
        _simulated(backward_from="y"),
        on_checks=(GRAD,),
    ),
    Misconception(
        "backward-twice",
        "x.grad is twice dz/dx: backward() ran twice, and every call adds to .grad (§6). "
        "Call z.backward() once.",
        _simulated(passes=2),
        on_checks=(GRAD,),
    ),
    Misconception(
        "backward-from-y-and-z",
        "x.grad is dy/dx + dz/dx: backward() ran on y and on z, and each call adds its "
        "gradient to x.grad (§6). Call backward() once, on the output z: it walks back "
        "through y by itself (§3, §5).",
        _simulated(backward_from="y+z"),
        on_checks=(GRAD,),
    ),
    Misconception(
        "square-of-the-sine",
        "Your z is sin(x)², the square of the sine. z = sin(x²) squares x first, y = x**2, "
        "and then takes the sine of y (§2, §5 step 2).",
        _simulated(form="sin(x)²"),
        on_checks=(Z, GRAD),
    ),
    Misconception(
        "doubled-not-squared",
        "Your y doubles x (x*2, or x + x): the square is x**2 (or x*x), as in §5 step 2, "
        "y = x**2 with grad_fn=<PowBackward0>.",
        _simulated(form="sin(2x)"),
        on_checks=(Z, GRAD),
    ),
]
