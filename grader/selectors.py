"""Reads about answers for the student pages and the API."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from exercises.models import Exercise

from .models import Score, Submission


def scores_by_exercise(*, student: User) -> dict[int, Score]:
    return {s.exercise_id: s for s in Score.objects.filter(student=student)}


def submissions_for(*, student: User, exercise: Exercise, limit: int = 20) -> list[Submission]:
    return list(Submission.objects.filter(student=student, exercise=exercise)[:limit])


def results_for_student(submission: Submission) -> dict[str, Any]:
    """The results a student may see: hidden checks say only passed/failed, and
    after-due-date checks stay hidden until the due date has passed."""
    results = dict(submission.results or {})
    due = submission.exercise.due_at
    tests = []
    for test in results.get("tests", []):
        visibility = test.get("visibility", "visible")
        shown = visibility == "visible" or (
            visibility == "after_due_date" and due is not None and timezone.now() > due
        )
        tests.append(test if shown else {**test, "output": "", "hidden": True})
    results["tests"] = tests
    extra = dict(results.get("extra", {}))
    extra.pop("params", None)
    results["extra"] = extra
    return results


def submission_payload(submission: Submission, *, url: str) -> dict[str, Any]:
    """The API's view of a submission."""
    results = results_for_student(submission) if submission.is_final else {}
    return {
        "id": submission.pk,
        "url": url,
        "exercise": submission.exercise.slug,
        "status": submission.status,
        "score": submission.score,
        "max_score": submission.max_score,
        "attempt": submission.attempt,
        "late": submission.is_late,
        "submitted_at": submission.submitted_at.isoformat(),
        "graded_at": submission.graded_at.isoformat() if submission.graded_at else None,
        "output": results.get("output", ""),
        "checks": results.get("tests", []),
        "misconception": results.get("extra", {}).get("misconception"),
        "read_as": results.get("extra", {}).get("read_as"),
        "error": submission.error_message or None,
    }
