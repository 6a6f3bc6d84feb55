"""autograd-quiz: per-student numbers and the formula questions' references.

Trusted code, run in the worker/web process, never in the sandbox. The students'
formulas are evaluated only by the sandbox's `formula` protocol; the expected values
here come from torch autograd."""

from __future__ import annotations

import math

import torch

from exercises.spec import FormulaQuestion, Misconception, at_points, derivative_values


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


FORMULAS = {
    "chain-cos-cube": FormulaQuestion(
        expected=lambda points: derivative_values(lambda x: torch.cos(x**3), points),
        low=-1.5,
        high=1.5,
        misconceptions=(
            Misconception(
                "missing-inner-factor",
                "The inner factor d/dx x³ = 3x² is missing: one factor per level (§2).",
                at_points(lambda x: -math.sin(x**3)),
            ),
            Misconception(
                "sign-error",
                "Right factors, wrong sign: d/dy cos(y) = −sin(y) (§2).",
                at_points(lambda x: 3 * x * x * math.sin(x**3)),
            ),
        ),
    ),
    "chain-log": FormulaQuestion(
        expected=lambda points: derivative_values(lambda x: torch.log(1 + x**2), points),
        misconceptions=(
            Misconception(
                "missing-inner-factor",
                "The inner factor d/dx (1 + x²) = 2x is missing: one factor per level (§2).",
                at_points(lambda x: 1 / (1 + x * x)),
            ),
        ),
    ),
    "bce-logit": FormulaQuestion(
        expected=lambda points: derivative_values(lambda x: -torch.log(torch.sigmoid(x)), points),
        low=-3.0,
        high=3.0,
        misconceptions=(
            Misconception(
                "sign-flipped",
                "Right size, wrong sign: dL/dz = ŷ − y = sigmoid(x) − 1 (§4).",
                at_points(lambda x: 1 - _sigmoid(x)),
            ),
            Misconception(
                "logits-for-probabilities",
                "You used the logit where the probability belongs: dL/dz = sigmoid(z) − y, "
                "not z − y (§4).",
                at_points(lambda x: x - 1),
            ),
        ),
    ),
}
