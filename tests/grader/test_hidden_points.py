"""Hidden check points cannot be predicted, so fitting a curve through them is useless.

The attack: before, a variant seed was sha256(f"{student}:{slug}") and the points came
from random.Random(f"{seed}:{attempt}"), both public, so a student could compute their
hidden points, evaluate the true derivative there, and submit the polynomial through
those values (a wrong formula that scored 10/10, hidden check included)."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

import pytest
import torch
from django.conf import settings
from django.test import Client

from exercises.course import ExerciseSpec, load_spec
from exercises.spec import configure_seed_key, inputs_rng, variant_seed
from grader.models import Submission
from grader.regrade import regrade_dispatch, regrade_request
from grader.selectors import results_for_student
from grader.services import submission_create, submission_grade

SLUGS = ("chain-rule", "nested-chain-rule")
VISIBLE = 4  # both exercises check 4 visible points, then 4 hidden ones


def _public_seed(student_key: int, slug: str) -> int:
    """The old, unkeyed derivation of a variant seed (anyone could compute it)."""
    return int(hashlib.sha256(f"{student_key}:{slug}".encode()).hexdigest()[:12], 16)


def _public_points(spec: ExerciseSpec, student_key: int, attempt: int) -> list[float]:
    assert spec.grading is not None
    seed = _public_seed(student_key, spec.slug)
    points: list[float] = spec.grading.inputs({}, random.Random(f"{seed}:{attempt}"))["points"]
    return points


def _true_derivative(spec: ExerciseSpec, points: list[float]) -> list[float]:
    assert spec.grading is not None
    values: list[float] = spec.grading.expected({}, {"points": points})["values"]
    return values


def _interpolating_polynomial(points: list[float], values: list[float]) -> str:
    """The polynomial through (points, values), solved exactly in float64 (Vandermonde),
    as a formula in x: "a0 + a1*x + a2*x^2 + ..."."""
    x = torch.tensor(points, dtype=torch.float64)
    vandermonde = torch.stack([x**k for k in range(len(points))], dim=1)
    coefficients = torch.linalg.solve(vandermonde, torch.tensor(values, dtype=torch.float64))
    terms = [repr(float(c)) + ("" if k == 0 else f"*x^{k}") for k, c in enumerate(coefficients)]
    return " + ".join(f"({t})" if t.startswith("-") else t for t in terms)


def _submit(student: Any, exercise: Any, answer: str) -> Submission:
    """The worker's path: the seed and attempt are chosen by submission_create."""
    submission = submission_create(student=student, exercise=exercise, answer=answer)
    graded = submission_grade(submission_id=submission.pk)
    assert graded is not None
    return graded


@pytest.mark.parametrize("slug", SLUGS)
def test_a_polynomial_through_the_publicly_derived_points_fails_the_hidden_check(
    slug: str, course: Any, student: Any
) -> None:
    spec = load_spec(slug)
    points = _public_points(spec, student.pk, attempt=1)
    formula = _interpolating_polynomial(points, _true_derivative(spec, points))
    assert len(formula) < 500  # an answer the form accepts

    graded = _submit(student, course[slug], formula)

    assert graded.score is not None and graded.score < graded.max_score
    hidden = [t for t in graded.results["tests"] if t["visibility"] == "hidden"]
    assert hidden and all(t["status"] == "failed" for t in hidden)


def _points_and_values(
    spec: ExerciseSpec, seed: int, attempt: int
) -> tuple[list[float], list[float]]:
    """What the server grades with (the keyed derivation; the test is trusted)."""
    assert spec.grading is not None
    points = spec.grading.inputs({}, inputs_rng(seed, attempt))["points"]
    return points, _true_derivative(spec, points)


def _fit_visible_points(
    slug: str, course: Any, student: Any
) -> tuple[Any, list[float], list[float]]:
    """Submit, for ``student``'s first attempt, a polynomial through the visible points
    and the right values there. Generous to the student: feedback shows at most one
    expected value per attempt, and no point. Returns the graded submission, the points
    and the right values."""
    spec = load_spec(slug)
    points, values = _points_and_values(spec, variant_seed(student.pk, slug), 1)
    formula = _interpolating_polynomial(points[:VISIBLE], values[:VISIBLE])
    return _submit(student, course[slug], formula), points, values


@pytest.mark.parametrize("slug", SLUGS)
def test_a_polynomial_through_the_visible_points_fails_the_hidden_check(
    slug: str, course: Any, student: Any
) -> None:
    graded, _points, _values = _fit_visible_points(slug, course, student)

    visible, hidden = graded.results["tests"]
    assert visible["status"] == "passed" and hidden["status"] == "failed"
    assert graded.score == visible["max_score"]


def test_the_seeds_are_keyed_and_stable_for_one_key() -> None:
    assert variant_seed(7, "chain-rule") == variant_seed(7, "chain-rule")
    assert variant_seed(7, "chain-rule") != _public_seed(7, "chain-rule")
    assert inputs_rng(5, 1).random() == inputs_rng(5, 1).random() != inputs_rng(5, 2).random()
    public = random.Random(f"{5}:{1}").random()
    assert inputs_rng(5, 1).random() != public


def test_a_regrade_uses_the_stored_seed_and_reproduces_the_points(
    course: Any, student: Any, staff_user: Any
) -> None:
    spec = load_spec("chain-rule")
    graded = _submit(student, course["chain-rule"], "x^3")  # wrong: feedback names values
    first = graded.results["tests"]
    seed = graded.seed
    # A restart configures the key again from the settings; a regrade grades again.
    configure_seed_key(settings.GRADER_SEED_KEY.encode())
    job = regrade_request(actor=staff_user, submission_ids=[graded.pk], reason="test")
    regrade_dispatch(job_id=job.pk)
    again = submission_grade(submission_id=graded.pk)

    assert again is not None and again.seed == seed
    assert again.results["tests"] == first
    _points, values = _points_and_values(spec, seed, graded.attempt)
    assert f"expected {values[0]:.6g}" in first[0]["output"]


def _spellings(number: float) -> set[str]:
    return {repr(number), f"{number:.6g}", f"{number:.4g}", f"{number:g}"}


@pytest.mark.parametrize("slug", SLUGS)
def test_what_a_student_sees_of_a_failed_hidden_check_reveals_no_point_or_value(
    slug: str, course: Any, student: Any
) -> None:
    # Right on the visible points, wrong on the hidden ones: the hidden check fails.
    graded, points, values = _fit_visible_points(slug, course, student)
    assert graded.results["tests"][1]["status"] == "failed"
    secrets = set().union(*(_spellings(v) for v in points[VISIBLE:] + values[VISIBLE:]))
    assert any(s in json.dumps(graded.results) for s in secrets)  # staff see them

    client = Client()
    client.force_login(student)
    api = client.get(f"/api/v1/submissions/{graded.pk}").content.decode()
    page = client.get(f"/exercises/{slug}/?submission={graded.pk}").content.decode()
    shown = json.dumps(results_for_student(graded)) + api + page
    assert "hidden check" in page
    assert not [s for s in secrets if s in shown]
