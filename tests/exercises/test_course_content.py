"""The nine exercises as a student meets them: each one validates (reference full
marks, starter not, every wrong/ answer named), per-student numbers, tensor-aware
feedback. Real sandbox, real content, no database."""

import pytest

from exercises.course import exercise_folders, load_folder, load_spec
from exercises.spec import variant_seed
from grader.grading import grade_answer
from grader.validation import validate_spec

SLUGS = [
    "power-rule",
    "chain-rule",
    "nested-chain-rule",
    "autograd-basics",
    "bce-manual-gradients",
    "bce-autograd",
    "gradient-accumulation",
    "no-grad-inference",
    "fix-runtime-error",
]


def test_the_course_has_the_nine_exercises_of_the_issue() -> None:
    assert sorted(p.name for p in exercise_folders()) == sorted(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_exercise_validates(slug: str) -> None:
    report = validate_spec(load_folder(load_spec(slug).folder))
    assert report.ok, report.problems
    assert any(line.startswith("wrong/") for line in report.lines)  # at least one misconception


def test_power_rule_gives_neighbours_their_own_point_and_reproduces_it() -> None:
    spec = load_spec("power-rule")
    points = {spec.params(variant_seed(f"student-{i}", spec.slug))["x0"] for i in range(12)}
    assert len(points) >= 4
    seed = variant_seed(42, spec.slug)
    assert spec.params(seed) == spec.params(seed)


def test_power_rule_names_y_given_for_the_slope() -> None:
    spec = load_spec("power-rule")
    seed = variant_seed("alice", spec.slug)
    params = spec.params(seed)
    outcome = grade_answer(
        spec, answer=spec.solution, parts={"slope": str(params["y0"])}, seed=seed, attempt=1
    )
    part = next(t for t in outcome.results["tests"] if t.get("part") == "slope")
    assert part["status"] == "failed" and "That is y = x² itself" in part["output"]
    assert outcome.score == 6


def test_power_rule_checks_the_dtype_of_what_is_returned() -> None:
    answer = (
        "import torch\n"
        "def slope(x0):\n"
        "    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)\n"
        "    (x**2).backward()\n"
        "    return x.grad\n"
    )
    outcome = grade_answer(load_spec("power-rule"), answer=answer, seed=3, attempt=1)
    strict = outcome.results["tests"][2]
    assert strict["status"] == "failed"
    assert strict["output"].endswith(": dtype is torch.float64, expected torch.float32.")
    assert [t["status"] for t in outcome.results["tests"][:2]] == ["passed", "passed"]


def test_no_grad_inference_says_that_preds_still_requires_grad() -> None:
    spec = load_spec("no-grad-inference")
    outcome = grade_answer(spec, answer=spec.starter, seed=5, attempt=1)
    check = next(
        t for t in outcome.results["tests"] if t["name"] == "preds does not track gradients"
    )
    assert check["output"].endswith(": requires_grad is True, expected False.")
    assert outcome.misconception == "still-tracking"
    assert "§7" in outcome.results["extra"]["misconception"]["message"]


def test_gradient_accumulation_names_where_the_gradients_were_cleared() -> None:
    spec = load_spec("gradient-accumulation")
    outcome = grade_answer(spec, answer=spec.starter, seed=9, attempt=1)
    assert outcome.misconception == "never-zeroed"
    assert "backward() adds to .grad" in outcome.results["output"]
    fixed_with_optimizer = spec.solution.replace(
        "losses = []", "optimizer = torch.optim.SGD([w, b], lr=lr)\nlosses = []"
    ).replace(
        "    w.grad.zero_()  # clear what earlier backward() calls left, before this one adds\n    b.grad.zero_()",
        "    optimizer.zero_grad()",
    )
    assert grade_answer(spec, answer=fixed_with_optimizer, seed=9, attempt=1).score == 10


def test_nested_chain_rule_accepts_any_notation_and_echoes_the_reading() -> None:
    spec = load_spec("nested-chain-rule")
    for answer in ["2x cos(x^2) exp(sin(x^2))", "e^(sin(x**2))*cos(x^2)*2*x"]:
        outcome = grade_answer(spec, answer=answer, seed=1, attempt=1)
        assert outcome.score == 10 and outcome.results["extra"]["read_as"]


def test_autograd_basics_names_backward_called_on_the_intermediate() -> None:
    spec = load_spec("autograd-basics")
    outcome = grade_answer(
        spec,
        answer=spec.wrong_answers["backward-from-intermediate"],
        parts={"grad_fn": "pow"},
        seed=2,
        attempt=1,
    )
    assert outcome.misconception == "backward-from-intermediate"
    assert outcome.score == 6
