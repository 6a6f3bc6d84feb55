"""autograd-quiz: per-student numbers and the formula questions' references.

Trusted code, run in the worker/web process, never in the sandbox. The students'
formulas are evaluated only by the sandbox's `formula` protocol; the expected values
here come from torch autograd."""

from __future__ import annotations

import math
import random
from typing import Any

import torch

from exercises.spec import FormulaQuestion, Misconception, at_points, derivative_values

POINTS = [v / 2 for v in range(-9, 10) if v / 2 not in (0.0, 1.0, 2.0)]


def variant(rng: random.Random) -> dict[str, Any]:
    x0 = rng.choice(POINTS)
    p = rng.choice([0.1, 0.2, 0.3, 0.35, 0.4, 0.6, 0.65, 0.7, 0.8, 0.9])
    label = rng.choice([0, 1])
    a = rng.choice([v for v in range(-5, 6) if v != 0])
    return {
        "x0": x0,
        "slope": 2 * x0,
        "y0": x0 * x0,
        "p": p,
        "label": label,
        "dldz": round(p - label, 10),
        "neg_dldz": round(label - p, 10),
        "a_text": f"{a:.1f}",
        "one_grad": 2.0 * a,
        "acc_grad": 6.0 * a,
    }


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
