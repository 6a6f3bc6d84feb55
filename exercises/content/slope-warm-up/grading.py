"""slope-warm-up (notes §1): dy/dx of y = x² as a formula in x, and on the lecture's own
numbers (x = 2 → 4, x = 3 → 6, the numeric parts in info.json).

The formula is graded at seeded points on both sides of 0 (so 2|x| cannot pass for 2x)
against torch autograd."""

from __future__ import annotations

import random
from typing import Any

from exercises.spec import (
    Misconception,
    at_points,
    derivative_values,
    neighbour_values,
    point_checks,
)

VISIBLE = 4


def inputs(params: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    # Two negative and two positive points in each check: 2|x| and 2x differ somewhere.
    points = []
    for _ in range(2):
        points += [-round(rng.uniform(0.3, 3.0), 3) for _ in range(2)]
        points += [round(rng.uniform(0.3, 3.0), 3) for _ in range(2)]
    return {"points": points}


NEIGHBOURS = {
    "y = x² itself": lambda x: x * x,
    "x (the factor 2 dropped)": lambda x: x,
}


def expected(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    values = derivative_values(lambda x: x**2, inputs["points"])
    return {"values": values, "neighbours": neighbour_values(NEIGHBOURS, inputs["points"])}


CHECKS = point_checks("dy/dx", 3, visible=VISIBLE, hidden=VISIBLE, neighbours=NEIGHBOURS)

MISCONCEPTIONS = [
    Misconception(
        "function-not-derivative",
        "That is y = x² itself, not its slope. The power rule brings the exponent down "
        "as a factor and lowers the power by one: d/dx xⁿ = n·xⁿ⁻¹ (§1).",
        at_points(lambda x: x * x),
    ),
    Misconception(
        "dropped-factor",
        "The power went down by one, but the exponent must also come down as a factor: "
        "d/dx xⁿ = n·xⁿ⁻¹ (§1).",
        at_points(lambda x: x),
    ),
    Misconception(
        "exponent-not-lowered",
        "The 2 came down as a factor, but the power must also go down by one: "
        "d/dx xⁿ = n·xⁿ⁻¹, so no x² is left in the slope (§1).",
        at_points(lambda x: 2 * x * x),
    ),
    Misconception(
        "absolute-value",
        "2|x| is right only for x > 0: left of 0 the curve x² falls, so its slope there "
        "is negative (§1).",
        at_points(lambda x: 2 * abs(x)),
    ),
    Misconception(
        "integrated",
        "x³/3 is what you get by integrating x²; differentiating lowers the power by one "
        "instead: d/dx xⁿ = n·xⁿ⁻¹ (§1).",
        at_points(lambda x: x**3 / 3),
    ),
    Misconception(
        "sign-error",
        "Right size, wrong sign: right of 0 the curve x² rises, so its slope there is "
        "positive (§1).",
        at_points(lambda x: -2 * x),
    ),
]
