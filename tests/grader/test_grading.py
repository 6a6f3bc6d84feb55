"""The grading pipeline on the real sandbox and the real content (no database)."""

import pytest

from exercises.course import load_spec
from grader.grading import grade_answer


def _grade(slug: str, answer: str, seed: int = 7):
    return grade_answer(load_spec(slug), answer=answer, seed=seed, attempt=1)


@pytest.mark.parametrize(
    "answer",
    ["2*x*cos(x**2)", "2x cos(x^2)", "2 x cos(x^2)", "cos(x^2)*x*2", "2x·cos(x²)", "2x × cos(x²)"],
)
def test_chain_rule_accepts_the_derivative_in_any_notation(answer: str) -> None:
    outcome = _grade("chain-rule", answer)
    assert outcome.score == outcome.max_score == 10
    assert outcome.results["output"] == "All checks passed."
    assert outcome.results["extra"]["read_as"]


def test_chain_rule_names_the_missing_inner_factor() -> None:
    outcome = _grade("chain-rule", "cos(x^2)")
    assert outcome.score == 0
    assert outcome.misconception == "missing-inner-factor"
    assert "inner factor" in outcome.results["output"]
    assert [t["status"] for t in outcome.results["tests"]] == ["failed", "failed"]
    assert outcome.results["tests"][1]["visibility"] == "hidden"


def test_chain_rule_names_the_wrong_outer_derivative_and_sign_error() -> None:
    assert _grade("chain-rule", "2x sin(x^2)").misconception == "wrong-outer-derivative"
    assert _grade("chain-rule", "-2x cos(x^2)").misconception == "sign-error"


def test_an_unrecognised_wrong_formula_scores_zero_without_a_name() -> None:
    outcome = _grade("chain-rule", "x^3")
    assert outcome.score == 0 and outcome.misconception == ""
    assert "values differ" in outcome.results["tests"][0]["output"]


def test_bce_reference_gets_full_marks_and_the_starter_does_not() -> None:
    spec = load_spec("bce-manual-gradients")
    assert _grade("bce-manual-gradients", spec.solution).score == pytest.approx(10)
    assert _grade("bce-manual-gradients", spec.starter).score == 0


def test_bce_names_the_forgotten_batch_mean() -> None:
    spec = load_spec("bce-manual-gradients")
    outcome = _grade("bce-manual-gradients", spec.wrong_answers["forgot-batch-mean"])
    assert outcome.misconception == "forgot-batch-mean"
    assert "mean over the batch" in outcome.results["output"]


def test_bce_by_hand_rejects_autograd_statically() -> None:
    answer = (
        "import torch\n"
        "def grads(x, y, w, b):\n"
        "    w = torch.tensor(w, requires_grad=True); b = torch.tensor(b, requires_grad=True)\n"
        "    loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(w*x+b), y)\n"
        "    loss.backward()\n"
        "    return w.grad, b.grad\n"
    )
    outcome = _grade("bce-manual-gradients", answer)
    assert outcome.score == 0
    assert "by hand" in outcome.results["output"]
    assert "backward()" in outcome.results["output"]


def test_bce_by_hand_rejects_autograd_reached_dynamically() -> None:
    answer = (
        "import torch\n"
        "def grads(x, y, w, b):\n"
        "    w = torch.tensor(w).requires_grad_()\n"  # static scan sees requires_grad_ too
        "    return 0.0, 0.0\n"
    )
    sneaky = (
        "import torch\n"
        "def grads(x, y, w, b):\n"
        "    t = torch.tensor(float(w))\n"
        "    getattr(t, 'requires' + '_grad_')()\n"
        "    out = (t * x).sum()\n"
        "    getattr(out, 'back' + 'ward')()\n"
        "    return 0.0, 0.0\n"
    )
    assert _grade("bce-manual-gradients", answer).score == 0
    outcome = _grade("bce-manual-gradients", sneaky)
    assert outcome.score == 0
    assert "by hand" in outcome.results["output"]


HAND_TYPED = {
    # The work done by hand in exercises about autograd: full marks before
    # requires_autograd, 0 now, with the reason.
    "power-rule": "import torch\n\ndef slope(x0):\n    return torch.tensor(2 * x0)\n",
    "bce-autograd": (
        "import torch\n\ndef grads(x, y, w, b):\n"
        "    p = torch.sigmoid(w * x + b)\n"
        "    return ((p - y) * x).mean(), (p - y).mean()\n"
    ),
}


@pytest.mark.parametrize("slug", sorted(HAND_TYPED))
def test_an_autograd_exercise_answered_without_autograd_scores_zero(slug: str) -> None:
    spec = load_spec(slug)
    assert spec.requires_autograd
    outcome = _grade(slug, HAND_TYPED[slug])
    assert outcome.score == 0
    assert outcome.results["extra"]["integrity"] == "no-backward"
    assert "without running a backward pass" in outcome.results["output"]
    checks = [t for t in outcome.results["tests"] if "part" not in t]
    assert checks and all("backward pass" in t["output"] for t in checks)
    # The same numbers through autograd keep full marks.
    assert _grade(slug, spec.solution).score == pytest.approx(
        outcome.max_score - sum(float(p["max_score"]) for p in spec.parts)
    )


def test_bce_a_crashing_function_reports_the_exception() -> None:
    outcome = _grade("bce-manual-gradients", "def grads(x, y, w, b):\n    return 1 / 0\n")
    assert outcome.score == 0
    assert "ZeroDivisionError" in outcome.results["tests"][0]["output"]


def test_fix_runtime_error_starter_fails_with_the_runtime_error() -> None:
    spec = load_spec("fix-runtime-error")
    outcome = _grade("fix-runtime-error", spec.starter)
    assert outcome.score == 1  # w and b do track; nothing else holds
    assert "does not require grad" in outcome.results["output"]
    assert outcome.misconception == "graph-detached-before-backward"


def test_fix_runtime_error_solution_and_requires_grad_after_operation() -> None:
    spec = load_spec("fix-runtime-error")
    assert _grade("fix-runtime-error", spec.solution).score == 10
    late = _grade("fix-runtime-error", spec.wrong_answers["requires-grad-set-after-operation"])
    assert late.misconception == "requires-grad-set-after-operation"
    assert late.score == 2  # it runs and w, b still track, but y is a leaf: no gradient


def test_an_infinite_loop_is_stopped_with_a_message() -> None:
    outcome = _grade("fix-runtime-error", "while True:\n    pass\n")
    assert outcome.score == 0
    assert "ran out of time" in outcome.results["output"]


def test_different_students_get_different_points_and_regrading_is_reproducible() -> None:
    spec = load_spec("chain-rule")
    a = spec.grading.inputs({}, __import__("exercises.spec").spec.inputs_rng(1, 1))
    b = spec.grading.inputs({}, __import__("exercises.spec").spec.inputs_rng(2, 1))
    again = spec.grading.inputs({}, __import__("exercises.spec").spec.inputs_rng(1, 1))
    assert a != b and a == again


def test_a_script_that_never_builds_y_is_not_named_as_a_misconception() -> None:
    outcome = _grade("fix-runtime-error", "import torch\npass\n")
    assert outcome.score == 1 and outcome.misconception == ""  # it runs, and that is all


def test_when_only_the_questions_are_wrong_the_summary_says_the_code_is_right() -> None:
    spec = load_spec("graph-and-leaves")
    code = spec.solution
    outcome = grade_answer(spec, answer=code, parts={"leaves": ["x"]}, seed=7, attempt=1)
    assert outcome.results["output"] == (
        "Your code passes all 3 of its checks; 2 of the 2 questions are not answered right "
        "yet (each says why)."
    )
    answered = grade_answer(
        spec, answer=code, parts={"leaves": ["x", "w"]}, seed=7, attempt=1
    ).results["output"]
    assert answered.startswith("Your code passes all 3 of its checks; 1 of the 2 questions")
    # Code that fails a check keeps the plain count when nothing else explains it.
    broken = code.replace("path.append(type(node).__name__)", "path.append(str(node))")
    assert "passes all" not in _grade("graph-and-leaves", broken).results["output"]
