"""autograd-quiz: each attempt's own numbers, for the prompts and the numeric answers.
Standard library only: the web process imports this to show the quiz, and never imports
torch."""

from __future__ import annotations

import random
from typing import Any

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
        "neg_slope": -2 * x0,
        "p": p,
        "label": label,
        "dldz": round(p - label, 10),
        "neg_dldz": round(label - p, 10),
        # dL/dŷ, the first piece of the chain, given for dL/dz.
        "dldyhat": round((p - label) / (p * (1 - p)), 10),
        "a_text": f"{a:.1f}",
        "one_grad": 2.0 * a,
        "acc_grad": 6.0 * a,
        # Three passes added up, but of x instead of dy/dx = 2x.
        "three_a": 3.0 * a,
    }
