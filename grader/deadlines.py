"""Whose due date holds: a student's extension (grader.extensions), else the exercise's."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from exercises.models import Exercise

from .models import DueExtension


def due_at_for(*, student_id: int, exercise: Exercise) -> datetime | None:
    """The due date that holds for this student: their extension, else the exercise's.
    An exercise without a due date has no extensions, and costs no query."""
    if exercise.due_at is None:
        return None
    extended = (
        DueExtension.objects.filter(student_id=student_id, exercise=exercise)
        .values_list("due_at", flat=True)
        .first()
    )
    return extended or exercise.due_at


def is_late_for(*, student_id: int, exercise: Exercise, at: datetime) -> bool:
    due = due_at_for(student_id=student_id, exercise=exercise)
    return due is not None and at > due


def after_due_release_at(exercise: Exercise) -> datetime | None:
    """When checks shown "after the due date" may be shown: once no student can still
    answer on time, after the exercise's due date and every extension of it. A student
    with an extension must not read them while answering, nor be told them by a
    classmate. None: never (no due date)."""
    if exercise.due_at is None:
        return None
    latest = DueExtension.objects.filter(exercise=exercise).aggregate(latest=Max("due_at"))
    return max(exercise.due_at, latest["latest"] or exercise.due_at)
