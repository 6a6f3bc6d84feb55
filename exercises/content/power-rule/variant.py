"""power-rule: each student's own point x0 (and what follows from it), for the statement
and the numeric part. Standard library only: the web process imports this to show the
exercise, and never imports torch."""

from __future__ import annotations

import random
from typing import Any

# Points where a wrong by-hand answer could coincide with the right one (x² = 2x at 0
# and 2, x = 2x at 0) or that the notes already work out (2, 3) are left out.
POINTS = [v / 2 for v in range(-13, 14) if v / 2 not in (0.0, 1.0, 2.0, 3.0)]


def variant(rng: random.Random) -> dict[str, Any]:
    x0 = rng.choice(POINTS)
    return {"x0": x0, "slope": 2 * x0, "y0": x0 * x0, "neg_slope": -2 * x0}
