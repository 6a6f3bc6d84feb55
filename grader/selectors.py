"""Reads about answers for the student pages and the API."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from exercises.models import Exercise

from . import notify
from .deadlines import after_due_release_at
from .hints import attempt_value, hint_unlock_times
from .models import Submission


@dataclass(frozen=True)
class AttemptRow:
    """One line of a student's attempts table, formatted for display. Every field the
    table shows is text: Django's templates localize numbers, and the locale lookups
    cost more than the rest of a row."""

    pk: int
    attempt: str
    submitted: str  # local time, "2026-11-26 14:05:09"
    status: str
    points: str  # "7.5 / 10", or "" before a score; "10 / 10, counts 7.5" after paid hints
    answer: str  # in full: the answer box starts from the latest one
    answer_short: str  # as shown in the table

    @property
    def href(self) -> str:
        return f"?submission={self.pk}#result"


def points(value: float) -> str:
    """A score as the `floatformat:"-2"` filter shows it: 10, 7.50, 3.33."""
    if value == int(value):
        return str(int(value))
    # As the filter rounds: half up, on the decimal the float prints as (2.675 → 2.68).
    return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def attempt_rows(*, student: User, exercise: Exercise, limit: int = 20) -> list[AttemptRow]:
    """The attempts table, newest first: seven columns, no model instances.

    Every exercise page, htmx submit and final result card renders this table; built
    from Submission objects through Django's template filters it cost ~4.6 ms of CPU for
    20 rows (date and number formatting, locale lookups, instances with their exercise),
    about as much as the rest of the page."""
    rows = Submission.objects.filter(student=student, exercise=exercise).values_list(
        "pk", "attempt", "submitted_at", "status", "score", "max_score", "answer"
    )[:limit]
    unlocked = hint_unlock_times(student_id=student.pk, exercise=exercise)

    def shown(score: float | None, max_score: float, submitted_at: Any) -> str:
        if score is None:
            return ""
        text = f"{points(score)} / {points(max_score)}"
        value = attempt_value(
            score, submitted_at=submitted_at, penalty=exercise.hint_penalty, unlocked=unlocked
        )
        return text if value == score else f"{text}, counts {points(value)}"

    return [
        AttemptRow(
            pk=pk,
            attempt=str(attempt),
            submitted=timezone.localtime(submitted_at).strftime("%Y-%m-%d %H:%M:%S"),
            status=status,
            points=shown(score, max_score, submitted_at),
            answer=answer,
            answer_short=answer if len(answer) <= 60 else answer[:59] + "…",
        )
        for pk, attempt, submitted_at, status, score, max_score, answer in rows
    ]


def wait_seconds(raw: str | None) -> float:
    """The `wait` query parameter of a long poll, clamped; 0 for missing or junk."""
    try:
        seconds = float(raw or 0)
    except ValueError:
        return 0.0
    if seconds != seconds:  # NaN
        return 0.0
    return min(max(seconds, 0.0), settings.GRADER_WAIT_MAX_SECONDS)


PENDING_STATUSES = (Submission.Status.QUEUED, Submission.Status.RUNNING)


def submission_of_student(
    *, student: User, pk: int, wait: float = 0.0, seen: str | None = None
) -> Submission | None:
    """The student's own submission ``pk`` (None for a missing one or someone else's),
    after waiting up to ``wait`` seconds for it to be final, or, given the pending
    status the caller has ``seen`` (queued or running), for it to change from that."""
    pending_since = time.monotonic()
    submission = (
        Submission.objects.filter(pk=pk, student=student).select_related("exercise").first()
    )
    if submission is None or submission.is_final or wait <= 0:
        return submission
    if seen is not None and submission.status != seen:
        return submission
    return submission_wait_final(submission, wait, pending_since=pending_since, seen=seen)


def submission_wait_final(
    submission: Submission,
    wait: float,
    *,
    pending_since: float | None = None,
    seen: str | None = None,
) -> Submission:
    """``submission`` read again as soon as it is final (or, given ``seen``, as soon as
    its status is no longer that), or as it is after ``wait`` seconds (a long poll,
    grader/notify.py). For callers that own the submission; ``pending_since``: a
    ``time.monotonic()`` before which it was known not final (see notify.wait_until),
    which spares the read before the wait."""
    again = Submission.objects.filter(pk=submission.pk).select_related("exercise")
    if seen in PENDING_STATUSES:
        changed = again.exclude(status=seen)
    else:
        changed = again.filter(status__in=Submission.FINAL_STATUSES)
    return (
        notify.wait_until(
            submission.pk,
            changed.first,
            wait,
            # A claim is not remembered as a final state is: always read first.
            pending_since=None if seen in PENDING_STATUSES else pending_since,
            any_change=seen in PENDING_STATUSES,
        )
        or again.get()
    )


def results_for_student(submission: Submission) -> dict[str, Any]:
    """The results a student may see: hidden checks say only passed/failed, and
    after-due-date checks stay hidden until no student can still answer on time
    (`after_due_release_at`: the due date and every extension have passed)."""
    results = dict(submission.results or {})
    tests = []
    released: bool | None = None  # read once, and only when a check needs it
    for test in results.get("tests", []):
        visibility = test.get("visibility", "visible")
        if visibility == "after_due_date" and released is None:
            release = after_due_release_at(submission.exercise)
            released = release is not None and timezone.now() > release
        shown = visibility == "visible" or (visibility == "after_due_date" and bool(released))
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
        # The pictures the result card shows (grader/graphs.py): both graphs as SVG data
        # URLs and where they part; None when the exercise draws none.
        "graph": results.get("extra", {}).get("graph"),
        "error": submission.error_message or None,
    }
