"""fix-non-scalar-backward (notes §3, §5): a script that calls backward() on a tensor
with one value per example, which raises "grad can be implicitly created only for
scalar outputs"; backward() starts from one output, z or the loss (§3, §5 step 3).

Graded on behaviour: the script runs, and w.grad, b.grad are the gradients of
y = Σ (w·x² + b) (computed here with autograd)."""

from __future__ import annotations

import torch

from exercises.fix_scripts import (
    B_GRAD,
    CHECKS,
    COMMON,
    NON_SCALAR_ERROR,
    W_GRAD,
    expected,
    first_example,
    inputs,
    simulated,
)
from exercises.spec import Misconception

# The loader reads these names; the shared ones come from exercises/fix_scripts.py.
__all__ = ["CHECKS", "MISCONCEPTIONS", "expected", "inputs"]


def _last_example(t: torch.Tensor) -> torch.Tensor:
    return t[-1]


MISCONCEPTIONS = [
    Misconception(
        "backward-on-a-vector",
        "backward() was still called on a tensor with one value per example: without an "
        "argument it needs a single number, the output the gradient is of. The statement's "
        "y is the sum: back-propagate from y.sum() (or pass y.backward(torch.ones_like(y)), "
        "which weighs every example by 1) (§3, §5).",
        simulated(error=NON_SCALAR_ERROR),
    ),
    Misconception(
        "first-element-only",
        "Your gradients are those of the first example only: y[0].backward() starts from one "
        "element. The statement's y sums all of them: back-propagate from y.sum() (§3, §5).",
        simulated(first_example),
        on_checks=(W_GRAD, B_GRAD),
    ),
    Misconception(
        "last-element-only",
        "Your gradients are those of the last example only: y[-1].backward() starts from one "
        "element. The statement's y sums all of them: back-propagate from y.sum() (§3, §5).",
        simulated(_last_example),
        on_checks=(W_GRAD, B_GRAD),
    ),
    Misconception(
        "largest-element-only",
        "Your gradients are those of the largest example only: max() makes one number by "
        "picking one element, so backward() reaches that element alone. The statement's y "
        "sums all of them: back-propagate from y.sum() (§3, §5).",
        simulated(torch.max),
        on_checks=(W_GRAD, B_GRAD),
    ),
    Misconception(
        "backward-from-the-norm",
        "Your gradients are those of ‖y‖, the vector's length: norm() does make one number, "
        "but backward() gives the gradient of the number it starts from, and the statement's "
        "y is the sum of the examples' values (§3, §5).",
        simulated(torch.linalg.vector_norm),
        on_checks=(W_GRAD, B_GRAD),
    ),
    *COMMON,
]
