"""Why a number is wrong, read from the numbers themselves.

When a wrong value matches no declared misconception, the student still deserves a
reason, not just two numbers. These diagnoses look at the wrong values next to the
right ones and name the common shapes of a slip: the right value with the wrong sign,
times a constant (a dropped factor of 2, a sum instead of a mean over n), shifted by
the same amount everywhere (a missing or extra term), zero everywhere (nothing was
tracked), the value of a neighbouring quantity of the exercise or the right value times
one (a factor counted twice), or one number repeated where each value has its own (a
batch mean or sum). Pure Python on lists
of floats: the trusted process calls it after the comparison, on decoded values."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

# Ratios named as "a factor": small whole numbers and their inverses.
_FACTORS = range(2, 65)


def _close(a: float, b: float, tol: float) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _all_close(got: Sequence[float], want: Sequence[float], tol: float) -> bool:
    return len(got) == len(want) and all(_close(g, w, tol) for g, w in zip(got, want, strict=True))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def diagnose(
    got: Sequence[float],
    want: Sequence[float],
    *,
    neighbours: Sequence[tuple[str, Sequence[float]]] = (),
    batches: Collection[int] = (),
    points: Sequence[float] = (),
    tol: float = 1e-6,
) -> str:
    """A sentence saying how ``got`` relates to ``want`` (same length, flattened), or ""
    when no simple relation fits. ``batches`` are the batch sizes a factor n may be."""
    if not got or len(got) != len(want) or not all(map(math.isfinite, [*got, *want])):
        return ""
    matching = [
        words
        for words, value in neighbours
        if _all_close(got, value, tol) and not _all_close(value, want, tol)
    ]
    if len(matching) == 1:
        return f"that is the value of {matching[0]}"
    if matching:
        # Several slips give this number (b.grad is 1 for the mean and for any one
        # example): naming one would tell a student who made another the wrong story.
        return f"that is the value of {' and also of '.join(matching)}: each of these gives it"
    pairs = list(zip(got, want, strict=True))
    nonzero = [(g, w) for g, w in pairs if abs(w) > tol]
    if all(abs(g) <= tol for g in got) and nonzero:
        return "it is 0 everywhere: no gradient reached it (was the graph tracked and backward called?)"
    # A relation by factor must also hold where the right value is 0.
    zeros_kept = all(abs(g) <= tol for g, w in pairs if abs(w) <= tol)
    if nonzero and zeros_kept and all(_close(g, -w, tol) for g, w in nonzero):
        return "it has the wrong sign: it is exactly −1 times the right value"
    if nonzero and zeros_kept:
        ratio = nonzero[0][0] / nonzero[0][1]
        if all(_close(g / w, ratio, tol * 10) for g, w in nonzero):
            named = _ratio_text(ratio, batches, tol)
            if named:
                return named
            if len(nonzero) >= 3:  # two numbers always have some ratio: say it of many
                return (
                    f"it is {_fmt(ratio)} times the right value everywhere: "
                    "a constant factor is off"
                )
    twice = _neighbour_factor(got, want, neighbours, tol)
    if twice:
        return twice
    spread = _one_number_for_all(got, want, tol)
    if spread:
        return spread
    flipped = [i for i, (g, w) in enumerate(pairs) if abs(w) > tol and _close(g, -w, tol)]
    if flipped and all(_close(abs(g), abs(w), tol) for g, w in pairs):
        return (
            f"it has the right size but the wrong sign in {len(flipped)} of {len(pairs)} "
            "values: a sign that depends on the input is flipped"
        )
    if (
        len(got) > 1
        and _all_close(got, list(reversed(want)), tol)
        and not _all_close(got, want, tol)
    ):
        return "these are the right values in the wrong order: swapped?"
    if len(points) == len(got) and len(got) >= 3:
        term = _power_of_x(got, want, points, tol)
        if term:
            return term
    if len(got) > 1:
        shift = got[0] - want[0]
        if abs(shift) > tol and all(
            _close(g - w, shift, tol * 10) for g, w in zip(got, want, strict=True)
        ):
            return (
                f"it is off by the same {_fmt(shift)} everywhere: a term is missing or one too many"
            )
    return ""


def _neighbour_factor(
    got: Sequence[float],
    want: Sequence[float],
    neighbours: Sequence[tuple[str, Sequence[float]]],
    tol: float,
) -> str:
    """The right value multiplied once more by a neighbouring quantity that varies from
    value to value (a factor of the product counted twice, e.g. cos(x²)·cos(x²)·2x), at
    three or more values where neither is 0."""
    for words, value in neighbours:
        if len(value) != len(want):
            continue
        rows = [(g, w, n) for g, w, n in zip(got, want, value, strict=True) if abs(w) > tol]
        if len(rows) < 3 or any(abs(n) <= tol for _, _, n in rows):
            continue
        if _constant([n for _, _, n in rows], tol) is not None:
            continue  # a constant factor is said as a number
        if all(_close(g, w * n, tol * 10) for g, w, n in rows):
            return (
                f"it is the right value multiplied once more by {words}: that factor is in it twice"
            )
    return ""


def _one_number_for_all(got: Sequence[float], want: Sequence[float], tol: float) -> str:
    """One number repeated where each value has its own: the mean or the sum of the right
    values (a batch averaged or summed where one value per example is asked)."""
    if len(got) < 3 or _constant(list(got), tol) is None or _constant(list(want), tol) is not None:
        return ""
    for words, value in (("mean", sum(want) / len(want)), ("sum", sum(want))):
        if _close(got[0], value, tol * 10):
            return (
                f"every value is the same number, the {words} of the right ones: one value "
                f"each is asked, not their {words}"
            )
    return ""


def _monomial(c: float, k: int) -> str:
    power = {1: "x", 2: "x²", 3: "x³"}[k]
    if _close(c, 1.0, 1e-9):
        return power
    if _close(c, -1.0, 1e-9):
        return f"−{power}"
    return f"{_fmt(c)}{power}"


def _constant(values: list[float], tol: float) -> float | None:
    if values and all(_close(v, values[0], tol * 10) for v in values):
        return values[0]
    return None


def _power_of_x(
    got: Sequence[float], want: Sequence[float], points: Sequence[float], tol: float
) -> str:
    """A factor or a term c·xᵏ (k = 1, 2, 3) between the answer and the right values, at
    the formula's points: the signature of a slip in a derivative by hand (a factor x
    dropped, an extra term x² from adding the function itself)."""
    rows = [(g, w, x) for g, w, x in zip(got, want, points, strict=True) if abs(x) > tol]
    if len(rows) < 3:
        return ""
    nonzero = [(g, w, x) for g, w, x in rows if abs(w) > tol]
    for k in (1, 2):
        if len(nonzero) < 3:
            break
        factor = _constant([g / (w * x**k) for g, w, x in nonzero], tol)
        if factor is not None:
            term = _monomial(factor, k)
            return f"it is {term} times the right value: a factor {term} too many"
        factor = _constant([g * x**k / w for g, w, x in nonzero], tol)
        if factor is not None and _close(factor, 1.0, 1e-9):
            term = _monomial(1.0, k)
            return f"it is the right value divided by {term}: a factor {term} is missing"
    for k in (1, 2, 3):
        extra = _constant([(g - w) / x**k for g, w, x in rows], tol)
        if extra is not None and abs(extra) > tol:
            term = _monomial(extra, k)
            return f"it is the right value plus {term} everywhere: a term {term} too many (or one missing)"
    return ""


def _ratio_text(ratio: float, batches: Collection[int], tol: float) -> str:
    sign = "−" if ratio < 0 else ""
    size = abs(ratio)
    for k in _FACTORS:
        if _close(size, k, tol * 10):
            if k in batches:
                return f"it is {sign}{k} times the right value: n = {k}, a sum instead of a mean?"
            return f"it is exactly {sign}{k} times the right value: a factor {k} too many"
        if _close(size, 1 / k, tol * 10):
            if k in batches:
                return (
                    f"it is {sign}1/{k} of the right value: n = {k}, divided by n once too often?"
                )
            return f"it is exactly {sign}1/{k} of the right value: a factor {k} is missing"
    return ""
