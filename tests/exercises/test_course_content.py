"""The exercises as a student meets them: each one validates (reference full
marks, starter not, every wrong/ answer named), per-student numbers, tensor-aware
feedback. Real sandbox, real content, no database."""

import dataclasses

import pytest

from exercises.course import exercise_folders, load_folder, load_spec
from exercises.spec import inputs_rng, variant_seed
from grader.grading import grade_answer
from grader.kinds import reference_answers
from grader.validation import validate_spec

SLUGS = [
    "slope-warm-up",
    "power-rule",
    "chain-rule",
    "nested-chain-rule",
    "autograd-basics",
    "bce-manual-gradients",
    "bce-autograd",
    "gradient-accumulation",
    "no-grad-inference",
    "fix-runtime-error",
    "fix-detached-graph",
    "fix-requires-grad-off",
    "fix-non-scalar-backward",
    "graph-and-leaves",
    "bce-derivation",
    "logistic-training",
]


def test_the_course_has_the_exercises_of_the_issues() -> None:
    assert sorted(p.name for p in exercise_folders()) == sorted(SLUGS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_exercise_validates(slug: str) -> None:
    report = validate_spec(load_folder(load_spec(slug).folder))
    assert report.ok, report.problems
    assert any(line.startswith("misconception ") for line in report.lines)


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
    assert check["status"] == "failed"
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


def test_no_grad_inference_starter_earns_nothing_for_the_harm_it_did_not_do() -> None:
    """The unchanged starter with the three choices right scored 8/10: the checks that
    w and b stay trainable count only with an untracked evaluation now."""
    spec = load_spec("no-grad-inference")
    parts = reference_answers(spec.parts, spec.params(5))
    outcome = grade_answer(spec, answer=spec.starter, parts=parts, seed=5, attempt=1)
    assert outcome.score == 4  # 3 for the choices, 1 for the value of preds
    assert grade_answer(spec, answer=spec.starter, seed=5, attempt=1).score <= 2


def test_checkcourse_refuses_a_starter_above_a_fifth_of_the_points() -> None:
    spec = load_spec("gradient-accumulation")
    generous = dataclasses.replace(
        spec, starter=spec.wrong_answers["zeroed-after-step-logger-rule"]
    )
    report = validate_spec(generous)
    assert "the starter scores 80%, more than 20%" in report.problems


def test_gradient_accumulation_varies_the_learning_rate() -> None:
    spec = load_spec("gradient-accumulation")
    rates = {
        spec.grading.inputs({}, inputs_rng(variant_seed(f"s{i}", spec.slug), 1))["globals"]["lr"]
        for i in range(20)
    }
    assert len(rates) >= 4 and 0.05 not in rates
    hard_coded = spec.solution.replace("lr * ", "0.05 * ")
    assert grade_answer(spec, answer=hard_coded, seed=9, attempt=1).score < 10


def test_gradient_accumulation_words_the_usual_order_as_the_logger_rule() -> None:
    spec = load_spec("gradient-accumulation")
    outcome = grade_answer(
        spec, answer=spec.wrong_answers["zeroed-after-step-logger-rule"], seed=9, attempt=1
    )
    assert outcome.score == 8
    assert "a logger reads w.grad and b.grad after the loop" in outcome.results["output"]
    assert "Your loop trains correctly" in outcome.results["output"]
    never = grade_answer(spec, answer=spec.starter, seed=9, attempt=1)
    assert "k + 1 gradients" in never.results["output"]


def test_fix_runtime_error_grades_behaviour_not_the_name_y() -> None:
    spec = load_spec("fix-runtime-error")
    renamed = spec.solution.replace("y = ", "out = ").replace("y.backward", "out.backward")
    assert "y = " not in renamed and "y.backward" not in renamed
    assert grade_answer(spec, answer=renamed, seed=4, attempt=1).score == 10


@pytest.mark.parametrize(
    ("slug", "answer", "misconception"),
    [
        # The same missing x.grad, three different causes, three messages.
        ("autograd-basics", "x-not-a-leaf", "not a leaf"),
        ("autograd-basics", "y-computed-under-no-grad", "inside torch.no_grad()"),
        ("autograd-basics", "z-detached", "detached from the graph"),
    ],
)
def test_autograd_basics_tells_apart_why_x_grad_is_missing(
    slug: str, answer: str, misconception: str
) -> None:
    spec = load_spec(slug)
    outcome = grade_answer(spec, answer=spec.wrong_answers[answer], seed=2, attempt=1)
    assert outcome.misconception == answer
    assert misconception in outcome.results["output"]
    assert "only computed when you call z.backward()" not in outcome.results["output"]


@pytest.mark.parametrize("slug", ["bce-manual-gradients", "bce-autograd"])
@pytest.mark.parametrize("form", ["tuple", "stacked", "one-element", "floats"])
def test_both_bce_exercises_accept_the_same_pair_forms(slug: str, form: str) -> None:
    spec = load_spec(slug)
    returned = {
        "tuple": "dw, db",
        "stacked": "torch.stack([dw, db])",
        "one-element": "dw.reshape(1), db.reshape(1)",
        "floats": "float(dw), float(db)",
    }[form]
    if slug == "bce-manual-gradients":
        body = (
            "    p = torch.sigmoid(w * x + b)\n    dw, db = ((p - y) * x).mean(), (p - y).mean()\n"
        )
    else:
        body = (
            "    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)\n"
            "    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)\n"
            "    torch.nn.functional.binary_cross_entropy(torch.sigmoid(w * x + b), y).backward()\n"
            "    dw, db = w.grad, b.grad\n"
        )
    answer = f"import torch\n\ndef grads(x, y, w, b):\n{body}    return {returned}\n"
    assert grade_answer(spec, answer=answer, seed=6, attempt=1).score == pytest.approx(10)


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
