"""Feedback for mistakes nobody declared: the reason is read from the numbers, in the
exercise's words, through the real grading pipeline (sandbox included) where it matters."""

from __future__ import annotations

from typing import Any

import pytest

from exercises.course import load_spec
from exercises.spec import Check
from grader.compare import Comparison, compare
from grader.explain import explain
from grader.feedback import diagnose
from grader.grading import grade_answer
from grader.results import Outcome


def _grade(slug: str, answer: str) -> Outcome:
    return grade_answer(load_spec(slug), answer=answer, seed=7, attempt=1)


@pytest.mark.parametrize(
    ("got", "want", "said"),
    [
        ([-1.0, 2.0], [1.0, -2.0], "wrong sign"),
        ([2.0, 4.0, 0.0], [1.0, 2.0, 0.0], "exactly 2 times"),
        ([0.5, 1.0], [1.0, 2.0], "a factor 2 is missing"),
        ([0.0, 0.0], [1.0, 2.0], "0 everywhere"),
        ([2.0, 3.0], [1.0, 2.0], "off by the same 1"),
        ([2.0, 1.0], [1.0, 2.0], "wrong order"),
    ],
)
def test_diagnoses_the_common_slips(got: list[float], want: list[float], said: str) -> None:
    assert said in diagnose(got, want)


def test_names_a_factor_equal_to_the_batch_size_and_the_neighbour_given() -> None:
    assert "n = 8, a sum instead of a mean" in diagnose([8.0], [1.0], batches={5, 8})
    assert diagnose([0.3], [0.1], neighbours=[("dL/dŷ", [0.3])]) == "that is the value of dL/dŷ"


def test_no_diagnosis_when_nothing_simple_fits() -> None:
    assert diagnose([1.0, 5.0], [2.0, 3.0]) == ""


def test_named_values_of_a_pair_are_each_explained() -> None:
    check = Check("grads", 1, lambda o: o, quantity="dL/dw, dL/db")
    got, want = [0.5, -0.2], [0.25, -0.2]
    message = explain(check, got, want, compare(got, want), expected_outputs={})
    assert (
        message
        == "dL/dw: it is exactly 2 times the right value: a factor 2 too many (got 0.5, expected 0.25)."
    )


def test_true_false_checks_read_as_sentences() -> None:
    check = Check(
        "y tracked",
        1,
        lambda o: o,
        if_true="y still has a grad_fn: it was computed while tracking.",
    )
    message = explain(check, True, False, compare(1, 0), expected_outputs={})
    assert message == "y still has a grad_fn: it was computed while tracking."
    plain = Check("x.is_leaf", 1, lambda o: o, quantity="x.is_leaf")
    assert explain(plain, False, True, Comparison(False, "differs"), expected_outputs={}) == (
        "x.is_leaf is False, but it should be True."
    )


def test_shapes_are_said_in_words() -> None:
    check = Check("w.grad", 1, lambda o: o, quantity="w.grad")
    got: Any = [1.0, 2.0, 3.0]
    message = explain(check, got, [[1.0, 2.0]], compare(got, [[1.0, 2.0]]), expected_outputs={})
    assert message == "w.grad is a vector of 3 values; it should be a 1×2 matrix."


def test_an_undeclared_formula_slip_is_diagnosed_at_a_visible_point() -> None:
    outcome = _grade("chain-rule", "4x cos(x^2)")
    assert outcome.score == 0 and outcome.misconception == ""
    visible, hidden = outcome.results["tests"]
    assert "exactly 2 times the right value" in outcome.results["output"]
    assert " at x = " in visible["output"]
    assert " at x = " not in hidden["output"]  # a hidden check never shows its points


def test_a_missing_factor_x_is_named() -> None:
    outcome = _grade("chain-rule", "2cos(x^2)")
    assert "a factor x is missing" in outcome.results["output"]


def test_each_value_of_a_named_pair_is_explained_through_the_pipeline() -> None:
    dw_doubled = (
        "import torch\n\n"
        "def grads(x, y, w, b):\n"
        "    d = (torch.sigmoid(w * x + b) - y) / x.numel()\n"
        "    return 2 * (d * x).sum(), d.sum()\n"
    )
    outcome = _grade("bce-manual-gradients", dw_doubled)
    assert outcome.score == 0 and outcome.misconception == ""
    assert outcome.results["output"].startswith("dL/dw on a batch of 5: it is exactly 2 times")


def test_a_training_loop_check_shows_the_steps_side_by_side() -> None:
    check = Check("losses", 1, lambda o: o, quantity="the loss", per_step=True)
    got, want = [0.7, 0.6, 0.5], [0.7, 0.55, 0.45]
    assert explain(check, got, want, compare(got, want), expected_outputs={}) == (
        "the loss, step by step: step 1: 0.7, step 2: 0.6 (expected 0.55), step 3: 0.5 (expected 0.45)."
    )


def test_a_factor_or_a_term_in_x_is_named_at_the_formulas_points() -> None:
    xs = [-1.5, 0.5, 1.2, 2.0]
    right = [2 * x for x in xs]
    assert "a term x² too many" in diagnose([2 * x + x * x for x in xs], right, points=xs)
    assert "a factor 2x too many" in diagnose([4 * x * x for x in xs], right, points=xs)
    assert "0.37 times the right value everywhere" in diagnose([0.37 * 2 * x for x in xs], right)
