"""Feedback for mistakes nobody declared: the reason is read from the numbers, in the
exercise's words, through the real grading pipeline (sandbox included) where it matters."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

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
        ([1.0, 2.0, -3.0], [1.0, -2.0, 3.0], "wrong sign in 2 of 3 values"),
    ],
)
def test_diagnoses_the_common_slips(got: list[float], want: list[float], said: str) -> None:
    assert said in diagnose(got, want)


def test_names_a_factor_equal_to_the_batch_size_and_the_neighbour_given() -> None:
    assert "n = 8, a sum instead of a mean" in diagnose([8.0], [1.0], batches={5, 8})
    assert diagnose([0.3], [0.1], neighbours=[("dL/dŷ", [0.3])]) == "that is the value of dL/dŷ"


def test_a_value_two_neighbours_share_names_both_not_one() -> None:
    neighbours = [("the mean's b.grad", [1.0]), ("the first example's b.grad", [1.0])]
    assert diagnose([1.0], [5.0], neighbours=neighbours) == (
        "that is the value of the mean's b.grad and also of the first example's b.grad: "
        "each of these gives it"
    )


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
    assert diagnose([0.37], [1.0]) == ""  # one number has a ratio to any other


def test_right_numbers_in_the_wrong_tensor_say_what_to_change() -> None:
    check = Check("slope", 1, lambda o: o, quantity="the slope", strict_tensor=True)
    got = torch.tensor(6.0, dtype=torch.float64)
    want = torch.tensor(6.0)
    message = explain(check, got, want, compare(got, want, strict_tensor=True), expected_outputs={})
    assert message.startswith("the slope: dtype is torch.float64, expected torch.float32.")
    assert "torch.tensor(x0) of a Python float is float32" in message


def test_a_missing_value_of_a_named_pair_is_named() -> None:
    check = Check("grads", 1, lambda o: o, quantity="w.grad, b.grad")
    got, want = [None, 0.5], [0.25, 0.5]
    message = explain(check, got, want, compare(got, want), expected_outputs={})
    assert message.startswith("w.grad is None: no gradient reached it.")


def test_a_neighbouring_factor_counted_twice_is_named() -> None:
    xs = [-1.3, 0.4, 0.9, 1.7]
    outer = [math.cos(x * x) for x in xs]
    right = [2 * x * c for x, c in zip(xs, outer, strict=True)]
    squared = [r * c for r, c in zip(right, outer, strict=True)]
    near = [("dz/dy = cos(x²)", outer)]
    assert diagnose(squared, right, neighbours=near) == (
        "it is the right value multiplied once more by dz/dy = cos(x²): that factor is in it twice"
    )
    # Not when the answer is some other product, nor for a neighbour that is a constant
    # (that is a plain factor), nor on fewer than three values.
    assert "twice" not in diagnose(
        [r * c * 1.1 for r, c in zip(right, outer, strict=True)], right, neighbours=near
    )
    assert "once more" not in diagnose([3 * r for r in right], right, neighbours=[("3", [3.0] * 4)])
    assert diagnose(squared[:2], right[:2], neighbours=[("c", outer[:2])]) == ""


def test_one_number_repeated_where_each_value_has_its_own_is_named() -> None:
    right = [0.5, -1.0, 2.0, 0.3]
    mean, total = sum(right) / 4, sum(right)
    assert "the mean of the right ones" in diagnose([mean] * 4, right)
    assert "the sum of the right ones" in diagnose([total] * 4, right)
    # Another repeated number, or right values that are themselves all the same, are not.
    assert "same number" not in diagnose([mean + 0.1] * 4, right)
    assert "same number" not in diagnose([2.0] * 4, [1.0] * 4)
    assert "same number" not in diagnose([mean] * 2, right[:2])


def test_a_slope_at_several_calls_is_read_as_one_quantity() -> None:
    # slope(x0) returns x.grad, a 0-d tensor per call: named as the check's quantity, not
    # "value 1", so its neighbours and the diagnosis apply.
    outcome = _grade(
        "power-rule",
        "import torch\n\ndef slope(x0):\n    x = torch.tensor(x0, requires_grad=True)\n"
        "    (x**2).backward()\n    return x.grad / 2\n",
    )
    assert outcome.results["output"].startswith(
        "dy/dx = x.grad: that is the value of x (the factor 2 dropped)"
    )
    hidden = outcome.results["tests"][1]["output"]
    assert hidden.startswith("dy/dx = x.grad: it is exactly 1/2 of the right value")
