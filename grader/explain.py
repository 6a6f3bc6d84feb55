"""What a failed check says, in the words of the exercise.

A check that fails names the quantity (`Check.quantity`, "dL/dw", not "value 1"), the
input where it differs for formula answers ("at x = 1.3", visible checks only: a hidden
check's points are never shown), and a diagnosis from the numbers when one fits
(grader/feedback.py: the sign, a factor, a shift, zero everywhere, a neighbouring
quantity); shapes are said in words, True/False values as sentences. Runs in the trusted
process on decoded values; the student's values are data, never called."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any

from exercises.spec import Check, Outputs

from .compare import Comparison, compare, flat_numbers, is_numeric_list, shape_words
from .feedback import diagnose

# What to do about a value of the wrong kind, where the fix is always the same.
_KIND_HINTS = {
    ("a float", "a tensor"): (
        " .item() and float() give a plain number: return the tensor itself (x.grad)."
    ),
    ("an int", "a tensor"): " Return the tensor itself, not a number made from it.",
    ("None", "a tensor"): " Did the function end without a return?",
    ("None", "a value"): " Did the function end without a return?",
    ("a list that is not an array of numbers", "a tensor"): (
        " torch.autograd.grad returns a tuple of gradients, one per input: take its [0]."
    ),
    ("a list that is not an array of numbers", "a number or tensor"): (
        " Some of it is not a number: a .grad read before backward() is None."
    ),
}


def _tensor_hint(message: str) -> str:
    """What to do when the numbers are right but the tensor is not the one asked for."""
    if message.startswith("requires_grad is True"):
        return " It is still tracked: return it detached, or compute it under torch.no_grad()."
    if message.startswith("requires_grad is False"):
        return (
            " It does not track gradients: make the leaf with requires_grad=True and compute "
            "it from that leaf."
        )
    if message.startswith("dtype is"):
        return (
            " Keep the dtype the statement gives: torch.tensor(x0) of a Python float is "
            "float32, and .double() or dtype=torch.float64 changes it."
        )
    return ""


def _names(check: Check, count: int) -> list[str]:
    """Names of the values of a pair/tuple check: its quantity split at commas when it
    names each one ("dL/dw, dL/db", or "(dL/dw, dL/db) on a batch of 5", whose words
    after the brackets go with each name), else "value 1", "value 2", …"""
    quantity = check.quantity.strip()
    suffix = ""
    bracketed = re.fullmatch(r"\(([^()]*)\)\s*(.*)", quantity)
    if bracketed:
        quantity, suffix = bracketed.group(1), bracketed.group(2)
    names = [n.strip() for n in quantity.split(",")] if quantity else []
    if len(names) == count and all(names):
        return [f"{n} {suffix}".strip() for n in names]
    return [f"value {i + 1}" for i in range(count)]


def _one_quantity(check: Check, got: Any, want: Any) -> bool:
    """A list of single numbers (0-d tensors, one per call) that the check's quantity does
    not name one by one ("dy/dx = x.grad" at 3 points): one quantity at several inputs,
    read as a whole like a vector, so that its name, neighbours and diagnosis apply."""
    if _names(check, len(want))[0] != "value 1":
        return False
    if not all(v is not None and not isinstance(v, tuple | list) for v in (*got, *want)):
        return False
    g, w = flat_numbers(got), flat_numbers(want)
    return g is not None and w is not None and len(g) == len(got) and len(w) == len(want)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def explain(
    check: Check,
    got: Any,
    want: Any,
    comparison: Comparison,
    *,
    expected_outputs: Outputs,
    points: list[float] | None = None,
    batches: Collection[int] = (),
    returned: bool = False,
) -> str:
    """The feedback of a failed check: ``got`` (the student's value) against ``want``.
    ``points`` are the x of each compared value (formula answers, visible checks);
    ``returned`` says the value is what the student's function returned."""
    what = check.quantity or check.name
    one = flat_numbers(got) if got is not None else None
    if (isinstance(want, bool) or check.if_true or check.if_false) and one and len(one) == 1:
        # The check failed, so the answer said the opposite of the right value.
        said_true = not _truthy(want)
        sentence = check.if_true if said_true else check.if_false
        return sentence or f"{what} is {said_true}, but it should be {not said_true}."
    if got is None and not returned:
        if ".grad" in f"{check.name} {check.quantity}":
            return (
                f"{what} is None: no gradient reached it. backward() fills .grad only for a "
                "leaf that requires grad, from a result computed from it while tracking."
            )
        return f"{what} is None: your code left no value there."
    names = _names(check, len(want)) if isinstance(want, tuple | list) else []
    if (
        isinstance(got, tuple | list)
        and len(got) == len(names)
        and any(v is None for v in got)
        and not names[0].startswith("value ")
    ):
        # A named pair with a value missing: say which one, and why it may be missing.
        i = next(i for i, v in enumerate(got) if v is None)
        sub = Check(names[i], check.max_score, check.get)
        return explain(sub, None, want[i], comparison, expected_outputs=expected_outputs)
    if comparison.got:  # not a matter of numbers: a dict, None, a string, wrong count
        hint = _KIND_HINTS.get((comparison.got, comparison.want), "")
        if returned:
            return f"Your function returned {comparison.got}, expected {comparison.want}.{hint}"
        return f"{what}: expected {comparison.want}, got {comparison.got}.{hint}"
    if (
        isinstance(want, tuple | list)
        and not is_numeric_list(want)
        and isinstance(got, tuple | list)
        and not _one_quantity(check, got, want)
    ):
        names = _names(check, len(want))
        for name, g, w in zip(names, got, want, strict=False):
            part = compare(g, w, rtol=check.rtol, atol=check.atol)
            if not part.ok:
                sub = Check(name, check.max_score, check.get, rtol=check.rtol, atol=check.atol)
                return explain(
                    sub,
                    g,
                    w,
                    part,
                    expected_outputs=expected_outputs,
                    batches=batches,
                    returned=returned,
                )
        return comparison.message
    g, w = flat_numbers(got), flat_numbers(want)
    if g is None or w is None:
        return comparison.message
    if len(g) != len(w):
        return f"{what} is {shape_words(got)}; it should be {shape_words(want)}."
    neighbours = []
    for words, getter in check.neighbours:
        try:
            value = flat_numbers(getter(expected_outputs))
        except (KeyError, IndexError, TypeError):
            continue
        if value is not None:
            neighbours.append((words, value))
    tol = max(check.rtol, check.atol)
    wrong = [i for i, (a, b) in enumerate(zip(g, w, strict=True)) if not _close(a, b, check)]
    if not wrong:  # the numbers agree: the dtype or requires_grad does not
        return f"{what}: {comparison.message}.{_tensor_hint(comparison.message)}"
    first = wrong[0]
    names = _names(check, len(w)) if len(w) > 1 else []
    if names and not names[0].startswith("value "):
        # Named values (dL/dw, dL/db): say which is wrong, each diagnosed on its own,
        # unless the pair only makes sense as a whole (swapped).
        whole = diagnose(g, w, tol=tol)
        if whole.startswith("these are"):
            return f"{check.quantity}: {whole}"
        said = []
        for i in wrong:
            why = diagnose([g[i]], [w[i]], neighbours=_at(neighbours, i), batches=batches, tol=tol)
            numbers = _numbers(g[i], w[i])
            said.append(f"{names[i]}: {why} ({numbers})" if why else f"{names[i]}: {numbers}")
        return "; ".join(said) + "."
    if check.per_step:
        steps = f"{what}, step by step: {_steps(g, w, check)}."
        overall = diagnose(g, w, batches=batches, tol=tol)
        return f"{steps} Over all steps, {overall}." if overall else steps
    at = f" at x = {_fmt(points[first])}" if points and first < len(points) else ""
    why = diagnose(g, w, neighbours=neighbours, batches=batches, points=points or (), tol=tol)
    numbers = _numbers(g[first], w[first])
    if len(g) > 1:
        numbers += f"; {len(wrong)} of {len(g)} values differ"
    if why:
        return f"{what}{at}: {why} ({numbers})."
    return f"{what}{at}: {numbers}."


def _steps(got: list[float], want: list[float], check: Check, limit: int = 8) -> str:
    """A training loop's values side by side: "step 1: 0.69, step 2: 0.52 (expected 0.6)"."""
    shown = []
    for i, (g, w) in enumerate(zip(got[:limit], want[:limit], strict=True)):
        expected = "" if _close(g, w, check) else f" (expected {_fmt(w)})"
        shown.append(f"step {i + 1}: {_fmt(g)}{expected}")
    more = f", … ({len(got) - limit} more)" if len(got) > limit else ""
    return ", ".join(shown) + more


def _at(neighbours: list[tuple[str, list[float]]], i: int) -> list[tuple[str, list[float]]]:
    return [(words, [v[i]]) for words, v in neighbours if i < len(v)]


def _numbers(got: float, want: float) -> str:
    if not math.isfinite(got):
        return f"got {_fmt(got)} (not a finite number)"
    return f"got {_fmt(got)}, expected {_fmt(want)}"


def _close(a: float, b: float, check: Check) -> bool:
    return abs(a - b) <= check.atol + check.rtol * abs(b)


def _truthy(value: Any) -> bool:
    numbers = flat_numbers(value)
    return any(numbers) if numbers is not None else bool(value)


# What a check says when it says only numbers (grader/compare.py's wording, and the
# count the summary falls back to).
_NUMBERS = [
    r"\d+ of \d+ checks passed\.",
    r"(value \d+: )*\d+ of \d+ values differ; first at [^:]+: got [^,]+(, expected .+)?",
    r"(value \d+: )*got [^()]+?, expected [^()]+?(; \d+ of \d+ values differ)?\.?",
    r"(value \d+: )*expected .+, got .+",
    r"(value \d+: )*shape is \(.*\), expected \(.*\)",
    r"(value \d+: )*(requires_grad|dtype) is [^\s,]+, expected \S+?\.?",
    r"(value \d+: )*no value was produced",
    r"Your function returned [^.]+, expected [^.]+\.",
]
_NUMBERS_RE = re.compile("|".join(f"(?:{p})" for p in _NUMBERS))


# A check's own words may name the quantity and the point first ("dz/dx at x = 1.3: got
# …, expected …"): still only numbers, unless a reason follows the colon.
_PREFIX_RE = re.compile(
    r"^[^:]{1,80}?(?: at x = [^:]+)?: (?=(?:\d+ of \d+ values differ|got |expected |requires_grad is |dtype is |no value))"
)


def is_numbers_only(text: str) -> bool:
    """Numbers and nothing else: no misconception, no diagnosis (the quantity's name and
    the point may come first)."""
    text = _PREFIX_RE.sub("", text.strip())
    return bool(_NUMBERS_RE.fullmatch(text))
