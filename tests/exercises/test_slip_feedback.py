"""Slips students of the lecture make, each graded through the real pipeline (sandbox
included): the feedback the student reads names the mistake and the rule, with its §,
instead of only the numbers."""

from __future__ import annotations

import pytest

from exercises.course import load_spec
from grader.grading import grade_answer

SEED = 7


def _feedback(slug: str, answer: str) -> tuple[str, str, float]:
    outcome = grade_answer(load_spec(slug), answer=answer, seed=SEED, attempt=1)
    return outcome.misconception, outcome.results["output"], outcome.score


FORMULAS = [
    # (slug, what the student wrote, the misconception, words the feedback must hold)
    (
        "chain-rule",
        "-2x sin(x^2)",
        "derivative-of-sin-as-minus-sin",
        "−sin(y) is the derivative of cos(y)",
    ),
    (
        "chain-rule",
        "cos(2x)",
        "inner-derivative-inside-the-outer",
        "cos(2x) puts the inner derivative inside",
    ),
    ("chain-rule", "sin(2x)", "derivative-of-sin-squared", "the derivative of (sin x)²"),
    ("chain-rule", "2sin(x)cos(x)", "derivative-of-sin-squared", "the square is inside"),
    ("chain-rule", "cos(x²) + 2x", "chain-factors-added", "the chain rule multiplies them"),
    (
        "nested-chain-rule",
        "sin(x^2)*exp(sin(x^2))*2x",
        "sin-as-its-own-derivative",
        "that is cos, not sin again",
    ),
    (
        "nested-chain-rule",
        "e^(sin(x^2)) cos(2x)",
        "inner-derivative-inside-the-cos",
        "dy/dx = 2x is a factor of its own",
    ),
    (
        "nested-chain-rule",
        "exp(2x cos(x^2))",
        "derivative-inside-the-exponential",
        "went into the exponent",
    ),
    (
        "nested-chain-rule",
        "cos(x^2)*2x*exp(cos(x^2))",
        "exponent-differentiated-too",
        "The sin inside the exponential became cos",
    ),
]


@pytest.mark.parametrize(("slug", "answer", "name", "words"), FORMULAS)
def test_a_formula_slip_is_named_with_its_rule(
    slug: str, answer: str, name: str, words: str
) -> None:
    misconception, output, score = _feedback(slug, answer)
    assert score == 0
    assert misconception == name
    assert output.startswith(words) or words in output
    assert "(§2)" in output


def test_a_factor_counted_twice_is_named_without_a_declared_misconception() -> None:
    misconception, output, _ = _feedback("chain-rule", "2x cos(x^2)^2")
    assert misconception == ""
    assert "multiplied once more by dz/dy = cos(x²), the outer factor alone" in output
