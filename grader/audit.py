"""The grading audit log: one append-only row per change a staff member makes to grades."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from exercises.models import Exercise

from .models import AuditLogEntry, Submission


def audit_record(
    *,
    actor: AbstractBaseUser,
    action: AuditLogEntry.Action,
    submission: Submission | None = None,
    exercise: Exercise | None = None,
    old_value: Any = None,
    new_value: Any = None,
    reason: str = "",
    student_id: int | None = None,
) -> AuditLogEntry:
    """Record one action. Call it inside the transaction that makes the change, so the
    entry exists exactly when the change does."""
    return AuditLogEntry.objects.create(
        action=action,
        actor_id=actor.pk,
        actor_username=actor.get_username(),
        submission=submission,
        student_id=submission.student_id if submission is not None else student_id,
        exercise_id=(
            exercise.pk if exercise is not None else submission.exercise_id if submission else None
        ),
        old_value=old_value,
        new_value=new_value,
        reason=reason,
    )
