"""fix-runtime-error (notes §7–8): make a script that raises "element 0 of tensors does
not require grad" (its y was computed under no_grad) produce the right gradients.

The student's script runs in the sandbox with x_values, w0, b0 given; w.grad and
b.grad are read back and compared with autograd's, computed here. Only the behaviour is
graded (the script runs, the gradients are right), never the names of intermediate
results."""

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
        "graph-detached-before-backward",
        "backward() was called on a result that was cut out of the graph (no_grad, "
        "detach() or requires_grad_(False) came before it), so it has no grad_fn. Compute "
        "the result with tracking on and call backward() on that (§7–8).",
        simulated(error=NO_GRAD_ERROR),
    ),
    Misconception(
        "requires-grad-set-after-operation",
        "Setting requires_grad on the result after the operation silences the error, but "
        "the result is then a new leaf: backward() stops there and w, b get no gradient. "
        "Tracking must be on while the operation runs (§5, §8).",
        lambda params, inputs: {"values": no_gradients(), "error": None},
    ),
    *COMMON,
]
