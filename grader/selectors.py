"""Reads about answers for the student pages and the API."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from exercises.models import Exercise

from . import notify
from .models import Score, Submission


def scores_by_exercise(*, student: User) -> dict[int, Score]:
    return {s.exercise_id: s for s in Score.objects.filter(student=student)}


def submissions_for(*, student: User, exercise: Exercise, limit: int = 20) -> list[Submission]:
    """The attempts table. The big fields (results, sandbox output) are left out; the
    one submission a page shows in full loads them when its card is rendered."""
    return list(
        Submission.objects.filter(student=student, exercise=exercise)
        .select_related("exercise")
        .defer("results", "sandbox_stdout", "sandbox_stderr", "timings")[:limit]
    )


def wait_seconds(raw: str | None) -> float:
    """The `wait` query parameter of a long poll, clamped; 0 for missing or junk."""
    try:
        seconds = float(raw or 0)
    except ValueError:
        return 0.0
    if seconds != seconds:  # NaN
        return 0.0
    return min(max(seconds, 0.0), settings.GRADER_WAIT_MAX_SECONDS)


def submission_of_student(*, student: User, pk: int, wait: float = 0.0) -> Submission | None:
    """The student's own submission ``pk`` (None for a missing one or someone else's),
    after waiting up to ``wait`` seconds for it to be final."""
    pending_since = time.monotonic()
    submission = (
        Submission.objects.filter(pk=pk, student=student).select_related("exercise").first()
    )
    if submission is None or submission.is_final or wait <= 0:
        return submission
    return submission_wait_final(submission, wait, pending_since=pending_since)


def submission_wait_final(
    submission: Submission, wait: float, *, pending_since: float | None = None
) -> Submission:
    """``submission`` read again as soon as it is final, or as it is after ``wait``
    seconds (a long poll, grader/notify.py). For callers that own the submission;
    ``pending_since``: a ``time.monotonic()`` before which it was known not final (see
    notify.wait_until), which spares the read before the wait."""
    again = Submission.objects.filter(pk=submission.pk).select_related("exercise")
    final = again.filter(status__in=Submission.FINAL_STATUSES)
    return (
        notify.wait_until(submission.pk, final.first, wait, pending_since=pending_since)
        or again.get()
    )


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
