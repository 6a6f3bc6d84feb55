"""fix-requires-grad-off (notes §7–8): a script that switches tracking off on w and b
with requires_grad_(False) (permanent, in place) before computing y: the RuntimeError
of §8.

Graded on behaviour: the script runs, and w.grad, b.grad are dy/dw, dy/db (computed
here with autograd)."""

from __future__ import annotations

from exercises.fix_scripts import (
    B_GRAD,
    CHECKS,
    COMMON,
    NO_GRAD_ERROR,
    RUNS,
    W_GRAD,
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
        "tracking-still-off",
        "w and b still do not require grad when y is computed: requires_grad_(False) is in "
        "place and permanent, so y records nothing and backward() fails. Remove it, or "
        "switch tracking back on with requires_grad_(True) before computing y (§7–8).",
        simulated(error=NO_GRAD_ERROR),
        on_checks=(RUNS, W_GRAD, B_GRAD),
    ),
    Misconception(
        "only-w-tracked",
        "Only w tracks gradients again: b.grad stays None because b still has "
        "requires_grad False. Both parameters need tracking on before y is computed (§7).",
        lambda params, inputs: {
            "values": {
                **no_gradients(b_tracks=False),
                "w.grad": expected(params, inputs)["values"]["w.grad"],
            },
            "error": None,
        },
    ),
    Misconception(
        "requires-grad-set-on-y",
        "requires_grad_() on y silences the error, but y is then a new leaf: backward() "
        "stops there and w, b get no gradient. Switch tracking on for w and b before y is "
        "computed (§7–8).",
        lambda params, inputs: {"values": no_gradients(False, False), "error": None},
    ),
    *COMMON,
]
