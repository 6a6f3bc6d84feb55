"""What an exercise folder declares, as plain data and functions.

An exercise's `grading.py` is trusted code: it runs in the worker (never in the
sandbox), makes the seeded inputs, computes the expected outputs with torch autograd,
and declares the checks and the known misconceptions. It imports only this module,
torch and the standard library.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Outputs = Mapping[str, Any]

VISIBILITIES = ("visible", "hidden", "after_due_date")


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


def variant_seed(student_key: str | int, slug: str) -> int:
    """The seed of one student's variant of one exercise: stable across attempts and
    regrades, different between neighbours."""
    digest = hashlib.sha256(f"{student_key}:{slug}".encode()).hexdigest()
    return int(digest[:12], 16)


def inputs_rng(seed: int, attempt: int) -> random.Random:
    """The random source for one attempt's check inputs (points, batches)."""
    return random.Random(f"{seed}:{attempt}")
