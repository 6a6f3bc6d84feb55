"""A wrong answer's feedback teaches the rule; it never states the answer. For each
formula exercise, every stretch of every misconception message that reads as a formula
in x is evaluated at several points and must differ from the reference answer there:
otherwise a wrong attempt would hand the student the formula to paste."""

from __future__ import annotations

import math
import re

import pytest

from exercises.course import exercise_folders, load_spec
from grader.sandbox.formula import FormulaError, parse

POINTS = (-1.7, -0.4, 0.3, 0.9, 2.2)
# The characters a formula in a message is written with (the course writes · and −).
FORMULA_RUN = re.compile(r"[0-9A-Za-z()²³·*^+\-−/. ]+")
NAMESPACE = {"x": 0.0, "sin": math.sin, "cos": math.cos, "exp": math.exp, "log": math.log}


def _value(text: str, x: float) -> float | None:
    """The formula's value at x, read by the site's own parser; None if it is not one."""
    try:
        expr = parse(text.replace("·", "*").replace("−", "-"))
    except FormulaError:
        return None
    python = expr.to_text().replace("^", "**")
    try:
        return float(
            eval(python, {"__builtins__": {}}, {**NAMESPACE, "x": x})
        )  # the parser's own rendering: x, numbers, operators, four functions
    except (NameError, TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None


def _formulas(message: str) -> set[str]:
    """Every stretch of whole words of the message that the parser reads as a formula in
    x (a constant or a single letter is no answer)."""
    found = set()
    for run in FORMULA_RUN.findall(message):
        words = run.split()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                text = " ".join(words[i:j]).strip(" .")
                if "x" in text and _value(text, 1.0) is not None:
                    found.add(text)
    return found


def _formula_exercises() -> list[str]:
    slugs = [folder.name for folder in exercise_folders()]
    return [slug for slug in slugs if load_spec(slug).kind == "formula"]


def test_the_formula_exercises_are_found() -> None:
    assert {"slope-warm-up", "chain-rule", "nested-chain-rule"} <= set(_formula_exercises())


@pytest.mark.parametrize("slug", _formula_exercises())
def test_no_misconception_message_states_the_answer(slug: str) -> None:
    spec = load_spec(slug)
    answer = [_value(spec.solution, x) for x in POINTS]
    assert None not in answer, spec.solution
    for misconception in spec.grading.misconceptions:
        for text in _formulas(misconception.message):
            values = [_value(text, x) for x in POINTS]
            same = all(
                v is not None and a is not None and math.isclose(v, a, rel_tol=1e-9, abs_tol=1e-9)
                for v, a in zip(values, answer, strict=True)
            )
            assert not same, f"{slug}: {misconception.name} states the answer as {text!r}"


def test_the_check_finds_an_answer_written_in_a_message() -> None:
    # The message nested-chain-rule had: the answer written out as a product.
    spec = load_spec("nested-chain-rule")
    said = _formulas("the chain rule multiplies one factor per level, exp(sin(x²))·cos(x²)·2x.")
    answer = [_value(spec.solution, x) for x in POINTS]
    assert any(
        all(
            math.isclose(_value(text, x) or 0.0, a or 1.0)
            for x, a in zip(POINTS, answer, strict=True)
        )
        for text in said
    )
