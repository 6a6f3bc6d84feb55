"""Whose due date holds: a student's extension (grader.extensions), else the exercise's."""

from __future__ import annotations

from datetime import datetime

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
