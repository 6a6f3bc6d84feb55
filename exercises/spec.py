"""What an exercise folder declares, as plain data and functions.

An exercise's `grading.py` is trusted code: it runs in the worker (never in the
sandbox), makes the seeded inputs, computes the expected outputs with torch autograd,
and declares the checks and the known misconceptions. It imports only this module,
torch and the standard library.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Outputs = Mapping[str, Any]

VISIBILITIES = ("visible", "hidden", "after_due_date")

# Scores are sums of floats: full marks is "within this of the maximum". The one
# definition of "solved" and of a passed check, used by grading, scores, quizzes,
# checkcourse and the staff pages (also in their database queries).
SOLVED_EPSILON = 1e-9


def full_marks(score: float, max_score: float) -> bool:
    """Whether ``score`` is all of ``max_score``: a check passed, an exercise solved."""
    return score >= max_score - SOLVED_EPSILON


@dataclass(frozen=True)
class Check:
    """One graded comparison. `get` picks the compared value out of an outputs dict; it
    is applied to the student's outputs and to the expected outputs alike."""

    name: str
    max_score: float
    get: Callable[[Outputs], Any]
    visibility: str = "visible"
    rtol: float = 1e-5
    atol: float = 1e-6
    # Compare requires_grad / dtype too (off for checks on plain numbers).
    strict_tensor: bool = False
    # The compared quantity in the exercise's own words ("dL/dw", "the loss after step
    # k"): feedback names it instead of the check's name.
    quantity: str = ""
    # For a True/False value: the sentence shown when the answer's value is wrongly True
    # / wrongly False ("y still has a grad_fn: it was computed while tracking").
    if_true: str = ""
    if_false: str = ""
    # Neighbouring quantities of the exercise, (words, getter on the EXPECTED outputs):
    # a wrong value equal to one of them is named ("you gave dL/dŷ, not dL/dz").
    neighbours: tuple[tuple[str, Callable[[Outputs], Any]], ...] = ()
    # The value is one number per step of a training loop (the loss, a parameter):
    # feedback shows the answer's steps next to the expected ones.
    per_step: bool = False


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer, described by what it outputs rather than by its text.

    `outputs(params, inputs)` returns the outputs an answer with this mistake would
    produce; a student's answer that fails and matches these on every check is named
    as this misconception."""

    name: str
    message: str
    outputs: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    # The checks compared to recognise it; empty means all checks.
    on_checks: tuple[str, ...] = ()


@dataclass
class GradingModule:
    """The trusted functions of one exercise, with defaults for the optional ones."""

    inputs: Callable[[dict[str, Any], random.Random], dict[str, Any]]
    expected: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    checks: list[Check]
    misconceptions: list[Misconception] = field(default_factory=list)
    variant: Callable[[random.Random], dict[str, Any]] = lambda rng: {}


class AnswerFailed(Exception):
    """Raised by a getter when the student's code failed for this value; the message
    (e.g. "ZeroDivisionError: division by zero") becomes the check's feedback."""


def call_value(call_id: str) -> Callable[[Outputs], Any]:
    """Getter for the value returned by one call of the `call` protocol."""

    def get(outputs: Outputs) -> Any:
        result = outputs["results"][call_id]
        if "error" in result:
            raise AnswerFailed(result["error"])
        return result["value"]

    return get


def script_value(name: str) -> Callable[[Outputs], Any]:
    """Getter for one value read after a `script` protocol run."""

    def get(outputs: Outputs) -> Any:
        return outputs["values"][name]

    return get


def number_pair(get: Callable[[Outputs], Any]) -> Callable[[Outputs], Any]:
    """Getter for a returned pair of numbers, such as (dL/dw, dL/db), in any of the forms
    a statement allows: a tuple or list of two numbers (floats, 0-d or one-element
    tensors), or one tensor of two elements (shape (2,), (2, 1) or (1, 2)). Each becomes
    a list of two numbers, so every exercise that returns a pair accepts the same forms;
    anything else is passed on unchanged for the comparison to describe."""

    def normalised(outputs: Outputs) -> Any:
        value = get(outputs)
        numel = getattr(value, "numel", None)
        if callable(numel) and numel() == 2:
            return [float(v) for v in value.reshape(-1).tolist()]
        if isinstance(value, list | tuple) and len(value) == 2:
            items = []
            for item in value:
                size = getattr(item, "numel", None)
                if callable(size) and size() == 1 and not item.is_complex():
                    items.append(float(item.reshape(-1)[0]))
                else:
                    items.append(item)
            return items
        return value

    return normalised


# Variant seeds and check points are derived with HMAC-SHA256 under a server-side key, so
# that nobody without the key can compute a student's hidden points from public facts
# (student id, slug, attempt number) and fit a curve through them. The Django side sets
# the key once at start-up (exercises/apps.py, from settings.GRADER_SEED_KEY); this module
# stays free of Django because exercise content imports it.
_seed_key: bytes | None = None


def configure_seed_key(key: bytes) -> None:
    """Set the key of ``variant_seed`` and ``inputs_rng`` for this process."""
    global _seed_key
    if not key:
        raise ValueError("the seed key must not be empty")
    _seed_key = key


def _keyed(message: str) -> bytes:
    if _seed_key is None:
        # Never fall back to an unkeyed derivation: that is the predictable one.
        raise RuntimeError("exercises.spec.configure_seed_key() has not been called")
    return hmac.new(_seed_key, message.encode(), hashlib.sha256).digest()


def variant_seed(student_key: str | int, slug: str) -> int:
    """The seed of one student's variant of one exercise: stable across attempts and
    regrades (for one key), different between neighbours, unpredictable without the key.
    48 bits, so it fits the seed columns (BigIntegerField)."""
    return int.from_bytes(_keyed(f"variant:{student_key}:{slug}")[:6], "big")


def inputs_rng(seed: int, attempt: int) -> random.Random:
    """The random source for one attempt's check inputs (points, batches). Keyed as well:
    a seed alone (shown to staff, stored with the submission) does not give the points."""
    return random.Random(_keyed(f"inputs:{seed}:{attempt}"))


# --- helpers for authors ----------------------------------------------------------------
# torch is imported inside the helpers: the web process imports this module to read
# exercise folders and should not pay for torch until it grades.


def tensor_arg(values: list[Any], dtype: str = "float64") -> dict[str, Any]:
    """A plain list as an encoded tensor argument (the sandbox value codec's form)."""
    shape: list[int] = []
    level: Any = values
    while isinstance(level, list):
        shape.append(len(level))
        level = level[0] if level else None
    return {
        "__tensor__": True,
        "dtype": dtype,
        "shape": shape,
        "requires_grad": False,
        "data": values,
    }


def random_points(rng: random.Random, n: int, low: float = -2.0, high: float = 2.0) -> list[float]:
    """`n` seeded points for a formula, rounded so they read well in feedback."""
    return [round(rng.uniform(low, high), 6) for _ in range(n)]


def derivative_values(f: Callable[[Any], Any], points: list[float]) -> list[float]:
    """df/dx at each point, computed by torch autograd in float64 (the reference)."""
    import torch

    x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    f(x).sum().backward()
    assert x.grad is not None
    return [float(v) for v in x.grad.tolist()]


def neighbour_values(
    neighbours: Mapping[str, Callable[[float], float]], points: list[float]
) -> dict[str, list[float]]:
    """Each named neighbouring quantity of a formula exercise at the points, for
    `expected()`: a wrong formula equal to one of them is named in the feedback."""
    return {words: [f(p) for p in points] for words, f in neighbours.items()}


def point_checks(
    quantity: str,
    score: float,
    *,
    visible: int,
    hidden: int,
    neighbours: Iterable[str] = (),
    rtol: float = Check.rtol,
    atol: float = Check.atol,
) -> list[Check]:
    """A formula exercise's two checks of `quantity` (outputs {"values": [...]}, one per
    point): at the first `visible` points, whose feedback may name a neighbour (by its
    words, a key of the outputs' "neighbours"), and at the `hidden` points after them."""

    def neighbour(words: str) -> Callable[[Outputs], Any]:
        return lambda o: o["neighbours"][words][:visible]

    return [
        Check(
            f"{quantity} at {visible} points",
            score,
            lambda o: o["values"][:visible],
            quantity=quantity,
            neighbours=tuple((words, neighbour(words)) for words in neighbours),
            rtol=rtol,
            atol=atol,
        ),
        Check(
            f"{quantity} at {hidden} more points",
            score,
            lambda o: o["values"][visible:],
            visibility="hidden",
            quantity=quantity,
            rtol=rtol,
            atol=atol,
        ),
    ]


def at_points(
    f: Callable[[float], float],
) -> Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]:
    """Predicted outputs of a formula answer that computes `f`, for a Misconception of
    the formula protocol: `{"values": [f(x) for x in points]}`."""

    def outputs(params: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        return {"values": [f(x) for x in inputs["points"]]}

    return outputs


@dataclass(frozen=True)
class FormulaQuestion:
    """A quiz question answered by a formula in x (see docs/authoring.md).

    `expected(points)` gives the right values at the points (usually
    `derivative_values`); each misconception predicts a wrong formula's values with
    `at_points`. The answer is evaluated only in the sandbox (`formula` protocol)."""

    expected: Callable[[list[float]], list[float]]
    misconceptions: tuple[Misconception, ...] = ()
    low: float = -2.0
    high: float = 2.0
    points: int = 6
    rtol: float = 1e-6
    atol: float = 1e-8
