"""nested-chain-rule (notes §2): dz/dx of z = exp(sin(x²)), as a formula in x.

Graded numerically at seeded points against torch autograd. Each misconception is
the derivative with one chain-rule factor dropped (or the sign flipped), so the
feedback can say which level was missed."""

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


def _outer(x: float) -> float:
    return math.exp(math.sin(x * x))


NEIGHBOURS = {
    "z = exp(sin(x²)) itself": _outer,
    "du/dx = 2x·cos(x²), the derivative of the inner sin(x²) alone": lambda x: (
        2 * x * math.cos(x * x)
    ),
}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    values = derivative_values(lambda x: torch.exp(torch.sin(x**2)), inputs["points"])
    return {"values": values, "neighbours": neighbour_values(NEIGHBOURS, inputs["points"])}


CHECKS = point_checks(
    "dz/dx", 5, visible=VISIBLE, hidden=HIDDEN, neighbours=NEIGHBOURS, rtol=1e-6, atol=1e-8
)


MISCONCEPTIONS = [
    Misconception(
        "dropped-inner-factor",
        "One factor is missing: the innermost one, dy/dx = 2x. Three levels give three "
        "factors (§2).",
        at_points(lambda x: _outer(x) * math.cos(x * x)),
    ),
    Misconception(
        "dropped-middle-factor",
        "One factor is missing: the middle one, d/dy sin(y) = cos(x²). Three levels give "
        "three factors (§2).",
        at_points(lambda x: _outer(x) * 2 * x),
    ),
    Misconception(
        "dropped-outer-factor",
        "One factor is missing: the outer one, d/du exp(u) = exp(sin(x²)): the exponential is "
        "its own derivative, it does not become 1 (§2).",
        at_points(lambda x: 2 * x * math.cos(x * x)),
    ),
    Misconception(
        "outer-derivative-of-the-inside",
        "exp(cos(x²))·2x differentiates the sin *inside* the exponential: the outer "
        "derivative keeps its argument, d/du exp(u) = exp(u) = exp(sin(x²)), and the cos(x²) "
        "comes as a factor of its own (§2).",
        at_points(lambda x: math.exp(math.cos(x * x)) * 2 * x),
    ),
    Misconception(
        "product-rule-on-composition",
        "exp(sin(x²)) is a composition, not a product: you added terms as the product "
        "rule does. The chain rule multiplies one factor per level (three levels here, so "
        "three factors) and adds nothing (§2).",
        at_points(lambda x: _outer(x) * math.cos(x * x) + _outer(x) * 2 * x),
    ),
    Misconception(
        "sign-error",
        "Right factors, wrong sign: every factor here is taken with a plus sign, "
        "d/dy sin(y) = +cos(y) (§2).",
        at_points(lambda x: -2 * x * math.cos(x * x) * _outer(x)),
    ),
    Misconception(
        "sin-as-its-own-derivative",
        "The middle factor is the derivative of sin, and that is cos, not sin again: "
        "d/dy sin(y) = cos(y). Only the exponential is its own derivative (§2).",
        at_points(lambda x: _outer(x) * math.sin(x * x) * 2 * x),
    ),
    Misconception(
        "inner-derivative-inside-the-cos",
        "cos(2x) puts the innermost derivative inside the cos. Each level's derivative is "
        "taken at its own input, sin's at y = x², and the factors are multiplied side by side: "
        "dy/dx = 2x is a factor of its own, never an argument (§2).",
        at_points(lambda x: _outer(x) * math.cos(2 * x)),
    ),
    Misconception(
        "derivative-inside-the-exponential",
        "The derivative of sin(x²) went into the exponent. The chain rule never substitutes "
        "one factor into another: the exponential's derivative is taken at its own argument, "
        "sin(x²), and the derivative of that argument is multiplied beside it (§2).",
        at_points(lambda x: math.exp(2 * x * math.cos(x * x))),
    ),
    Misconception(
        "exponent-differentiated-too",
        "The sin inside the exponential became cos. The outer level's derivative is exp(u) "
        "with u left as it is, sin(x²); the cos(x²) belongs only to the middle factor, beside "
        "it (§2).",
        at_points(lambda x: math.exp(math.cos(x * x)) * math.cos(x * x) * 2 * x),
    ),
]
