"""Fixtures for the staff pages: graded submissions made directly (fast, exact) or by
the real grader, and small synthetic courses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from exercises.course import load_spec
from exercises.models import Exercise
from grader.models import Submission
from grader.services import score_refresh, submission_create, submission_grade

MakeSubmission = Callable[..., Submission]


@pytest.fixture
def make_submission() -> MakeSubmission:
    """A graded submission with the given score, stored directly (no sandbox), and the
    student's Score refreshed as grading would."""

    def make(
        student: User,
        exercise: Exercise,
        score: float,
        *,
        misconception: str = "",
        at: Any = None,
        status: str = Submission.Status.GRADED,
        late: bool = False,
    ) -> Submission:
        attempt = Submission.objects.filter(student=student, exercise=exercise).count() + 1
        results: dict[str, Any] = {
            "score": score,
            "max_score": exercise.max_score,
            "output": "",
            "tests": [],
            "extra": {},
        }
        if misconception:  # what grading stores with a named mistake (grader.grading)
            grading = load_spec(exercise.slug).grading
            message = next(
                (
                    m.message
                    for m in getattr(grading, "misconceptions", [])
                    if m.name == misconception
                ),
                "",
            )
            results["extra"]["misconception"] = {"name": misconception, "message": message}
        at = at or timezone.now() - timedelta(hours=10) + timedelta(minutes=attempt)
        sub = Submission.objects.create(
            student=student,
            exercise=exercise,
            answer=f"answer {attempt}",
            status=status,
            score=score if status == Submission.Status.GRADED else None,
            max_score=exercise.max_score,
            results=results,
            misconception=misconception,
            seed=1,
            attempt=attempt,
            is_late=late,
            grader_version=settings.GRADER_VERSION,
            timings={"grade_ms": 12.5},
            submitted_at=at,
            enqueued_at=at,
            graded_at=at + timedelta(seconds=1),
        )
        score_refresh(student_id=student.pk, exercise=exercise)
        return sub

    return make


@pytest.fixture
def graded(course: dict[str, Exercise], student: User) -> Submission:
    """A wrong answer to chain-rule, graded by the real grader (misconception named)."""
    sub = submission_create(student=student, exercise=course["chain-rule"], answer="cos(x^2)")
    submission_grade(submission_id=sub.pk)
    sub.refresh_from_db()
    return sub


@pytest.fixture
def instructor_client(instructor: User) -> Client:
    client = Client()
    client.force_login(instructor)
    return client


@pytest.fixture
def staff_client(staff_user: User) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def student_client(student: User) -> Client:
    client = Client()
    client.force_login(student)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # The role fixtures hash three passwords per test; PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
