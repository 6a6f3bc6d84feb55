"""Grading's score signals, turned into grade passback."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from grader.signals import exercise_score_changed, quiz_score_changed

from . import grades


@receiver(exercise_score_changed)
def _exercise_score_changed(
    sender: Any, *, student_id: int, exercise_id: int, **kwargs: Any
) -> None:
    grades.publications_refresh(user_id=student_id, exercise_id=exercise_id)


@receiver(quiz_score_changed)
def _quiz_score_changed(sender: Any, *, student_id: int, quiz_id: int, **kwargs: Any) -> None:
    grades.publications_refresh(user_id=student_id, quiz_id=quiz_id)
