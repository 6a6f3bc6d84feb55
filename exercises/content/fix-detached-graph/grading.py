"""fix-detached-graph (notes §7–8): a script that detaches its prediction "to keep a
copy" and then calls backward() on a sum of the detached copy: the RuntimeError of §8.

Graded on behaviour: the script runs, and w.grad, b.grad are dy/dw, dy/db (computed
here with autograd)."""

from __future__ import annotations

from exercises.fix_scripts import (
    CHECKS,
    COMMON,
    NO_GRAD_ERROR,
    expected,
    inputs,
    no_gradients,
    simulated,
)
from exercises.spec import Misconception

# The loader reads these names; the shared ones come from exercises/fix_scripts.py.
__all__ = ["CHECKS", "MISCONCEPTIONS", "expected", "inputs"]

MISCONCEPTIONS = [
    Misconception(
        "still-detached",
        "backward() still starts from the detached copy: detach() returns a tensor cut out "
        "of the graph, so y = pred.sum() has no grad_fn and nothing leads back to w and b. "
        "Keep the copy under another name and build y from the tracked pred (§7–8).",
        simulated(error=NO_GRAD_ERROR),
    ),
    Misconception(
        "requires-grad-set-on-the-copy",
        "requires_grad_() on the detached copy silences the error, but the copy is a new "
        "leaf: backward() stops there and w, b get no gradient. Build y from the tracked "
        "pred, not from its detached copy (§7–8).",
        lambda params, inputs: {"values": no_gradients(), "error": None},
    ),
    *COMMON,
]
