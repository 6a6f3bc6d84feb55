"""chain-rule (notes §2): dz/dx of z = sin(x²), as a formula in x.

Graded numerically at seeded random points against torch autograd, never
symbolically (symbolic equivalence checks can hang on a wrong derivative)."""

from __future__ import annotations

import math
import random
from typing import Any

import torch

from exercises.spec import (
    Misconception,
    at_points,
    derivative_values,
    neighbour_values,
    point_checks,
    random_points,
)

VISIBLE, HIDDEN = 4, 4


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return {"points": random_points(rng, VISIBLE + HIDDEN)}


# Quantities of the exercise next to dz/dx, by name: a wrong formula equal to one of
# them at the points is named in the feedback.
NEIGHBOURS = {
    "z = sin(x²) itself": lambda x: math.sin(x * x),
    "dz/dy = cos(x²), the outer factor alone": lambda x: math.cos(x * x),
    "dy/dx = 2x, the inner factor alone": lambda x: 2 * x,
}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    values = derivative_values(lambda x: torch.sin(x**2), inputs["points"])
    return {"values": values, "neighbours": neighbour_values(NEIGHBOURS, inputs["points"])}


CHECKS = point_checks(
    "dz/dx", 5, visible=VISIBLE, hidden=HIDDEN, neighbours=NEIGHBOURS, rtol=1e-6, atol=1e-8
)

MISCONCEPTIONS = [
    Misconception(
        "missing-inner-factor",
        "You differentiated the outer sin but dropped the inner factor dy/dx = 2x: the "
        "chain rule multiplies one factor per level (§2 of the notes).",
        at_points(lambda x: math.cos(x * x)),
    ),
    Misconception(
        "wrong-outer-derivative",
        "The derivative of sin(y) is cos(y), not sin(y): check the outer factor (§2).",
        at_points(lambda x: 2 * x * math.sin(x * x)),
    ),
    Misconception(
        "sign-error",
        "Right factors, wrong sign: d/dy sin(y) = +cos(y) (§2).",
        at_points(lambda x: -2 * x * math.cos(x * x)),
    ),
    Misconception(
        "product-rule-on-composition",
        "sin(x²) is a composition, not a product: there is no second term. The chain rule "
        "multiplies the outer derivative cos(x²) by the inner one, 2x (§2).",
        at_points(lambda x: 2 * x * math.cos(x * x) + math.sin(x * x)),
    ),
    Misconception(
        "outer-derivative-at-x",
        "The outer derivative is taken at the inner value: dz/dy = cos(y) with y = x², so "
        "cos(x²), not cos(x) (§2).",
        at_points(lambda x: 2 * x * math.cos(x)),
    ),
    Misconception(
        "derivative-of-sin-as-minus-sin",
        "d/dy sin(y) is cos(y); −sin(y) is the derivative of cos(y), one step further round. "
        "Check the outer factor (§2).",
        at_points(lambda x: -2 * x * math.sin(x * x)),
    ),
    Misconception(
        "inner-derivative-inside-the-outer",
        "cos(2x) puts the inner derivative inside the cos. The chain rule takes the outer "
        "derivative at the inner value y = x² and multiplies it by dy/dx: the two factors "
        "stand side by side, neither goes inside the other (§2).",
        at_points(lambda x: math.cos(2 * x)),
    ),
    Misconception(
        "derivative-of-sin-squared",
        "2·sin(x)·cos(x) is the derivative of (sin x)², the square of the sine. In sin(x²) the "
        "square is inside: first y = x², then z = sin(y), so the outer function is sin and the "
        "inner one x² (§2).",
        at_points(lambda x: 2 * math.sin(x) * math.cos(x)),
    ),
    Misconception(
        "chain-factors-added",
        "You added the two factors: the chain rule multiplies them, dz/dx = dz/dy · dy/dx (§2).",
        at_points(lambda x: math.cos(x * x) + 2 * x),
    ),
]
