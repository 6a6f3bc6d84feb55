"""Whose deadline holds: a student's extension (grader.extensions), else the exercise's
due date or the quiz's closing time; and when what is shown "after the due date" may be
shown to anyone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max

from exercises.models import Exercise, Quiz, QuizAttempt

from .models import DueExtension

# A quiz attempt still takes answers this long after its deadline (the page submits
# itself when the clock reaches zero; the request needs a moment to arrive).
QUIZ_GRACE = timedelta(seconds=30)


def _extended(student_id: int, item: Exercise | Quiz) -> datetime | None:
    return (
        DueExtension.objects.filter(student_id=student_id, **extension_of(item))
        .values_list("due_at", flat=True)
        .first()
    )


def due_at_for(*, student_id: int, exercise: Exercise) -> datetime | None:
    """The due date that holds for this student: their extension, else the exercise's.
    An exercise without a due date has no extensions, and costs no query."""
    if exercise.due_at is None:
        return None
    return _extended(student_id, exercise) or exercise.due_at


def is_late_for(*, student_id: int, exercise: Exercise, at: datetime) -> bool:
    due = due_at_for(student_id=student_id, exercise=exercise)
    return due is not None and at > due


def closes_at_for(*, student_id: int, quiz: Quiz) -> datetime | None:
    """When the quiz closes for this student: their extension, else the quiz's time."""
    if quiz.closes_at is None:
        return None
    return _extended(student_id, quiz) or quiz.closes_at


def quiz_window_open(quiz: Quiz, closes: datetime | None, at: datetime) -> bool:
    """Whether an attempt may be started at `at`, given the quiz's closing time for
    the student (`closes_at_for`)."""
    return (
        quiz.is_active
        and (quiz.opens_at is None or at >= quiz.opens_at)
        and (closes is None or at < closes)
    )


def quiz_is_open_for(*, student_id: int, quiz: Quiz, at: datetime) -> bool:
    """Whether this student may start an attempt at `at`."""
    return quiz_window_open(quiz, closes_at_for(student_id=student_id, quiz=quiz), at)


def extension_of(item: Exercise | Quiz) -> dict[str, Any]:
    """The filter that picks an item's extensions: {"exercise": …} or {"quiz": …}."""
    return {"exercise": item} if isinstance(item, Exercise) else {"quiz": item}


def deadline_of(item: Exercise | Quiz) -> datetime | None:
    """An exercise's due date or a quiz's closing time, for everyone."""
    return item.due_at if isinstance(item, Exercise) else item.closes_at


def after_due_release_at(item: Exercise | Quiz) -> datetime | None:
    """When checks and questions shown "after the due date" may be shown: once no
    student can still answer in time, after the exercise's due date (the quiz's closing
    time) and every extension of it. A student with an extension must not read them
    while answering, nor be told them by a classmate. For a quiz, that is once no
    attempt takes answers any more: after every attempt's own deadline (one started
    under an extension keeps it when the extension is taken back) and the grace of its
    last submit. None: never (no deadline)."""
    deadline = deadline_of(item)
    if deadline is None:
        return None
    extensions = DueExtension.objects.filter(**extension_of(item))
    latest = extensions.aggregate(latest=Max("due_at"))["latest"]
    release = max(deadline, latest or deadline)
    if isinstance(item, Quiz):
        last = QuizAttempt.objects.filter(quiz=item).aggregate(last=Max("deadline_at"))["last"]
        release = max(release, last or release) + QUIZ_GRACE
    return release
