"""Due-date extensions: a later due date for one student on one exercise.

An answer is late when it was submitted after the student's due date: their extension
if they have one, else the exercise's (grader.deadlines). Granting, changing or removing an
extension judges that student's earlier answers again: each answer whose lateness
changes gets its flag changed, and a graded one on an exercise with a late penalty is
regraded through the ordinary regrade (grader.regrade), so the penalty is applied or
lifted by the same grading run as the first time. Every change is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from exercises.models import Exercise

from .audit import audit_record
from .models import AuditLogEntry, DueExtension, Submission
from .regrade import regrade_request
from .services import score_refresh


class ExtensionRejected(ValueError):
    """Nothing was changed; the message says why, for the form."""


@dataclass(frozen=True)
class Rejudged:
    """What a change of due date did to the student's answers."""

    now_on_time: int
    now_late: int
    regraded: int


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else None


def extension_set(
    *,
    actor: AbstractBaseUser,
    student_id: int,
    exercise: Exercise,
    due_at: datetime,
    reason: str,
) -> Rejudged:
    """Give the student `due_at` as their due date for `exercise` (replacing any earlier
    extension), for a stated reason; their answers are judged again against it."""
    reason = reason.strip()
    if not reason:
        raise ExtensionRejected("A reason is required.")
    if exercise.due_at is None:
        raise ExtensionRejected(f"“{exercise.title}” has no due date to extend.")
    if due_at <= exercise.due_at:
        raise ExtensionRejected(
            "The new due date must be after the exercise's own, "
            f"{timezone.localtime(exercise.due_at):%Y-%m-%d %H:%M}."
        )
    with transaction.atomic():
        previous = (
            DueExtension.objects.select_for_update()
            .filter(student_id=student_id, exercise=exercise)
            .first()
        )
        DueExtension.objects.update_or_create(
            student_id=student_id,
            exercise=exercise,
            defaults={
                "due_at": due_at,
                "reason": reason,
                "granted_by_id": actor.pk,
                "granted_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.EXTENSION_SET,
            exercise=exercise,
            student_id=student_id,
            old_value={
                "due_at": _when(previous.due_at if previous else exercise.due_at),
                "extended": previous is not None,
            },
            new_value={"due_at": _when(due_at), "extended": True},
            reason=reason,
        )
        return _rejudge(actor=actor, student_id=student_id, exercise=exercise, due_at=due_at)


def extension_remove(
    *, actor: AbstractBaseUser, student_id: int, exercise: Exercise, reason: str
) -> Rejudged:
    """Take the student's extension back: the exercise's due date holds for them again."""
    reason = reason.strip()
    if not reason:
        raise ExtensionRejected("A reason is required.")
    with transaction.atomic():
        previous = (
            DueExtension.objects.select_for_update()
            .filter(student_id=student_id, exercise=exercise)
            .first()
        )
        if previous is None:
            raise ExtensionRejected("This student has no extension on this exercise.")
        previous.delete()
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.EXTENSION_REMOVED,
            exercise=exercise,
            student_id=student_id,
            old_value={"due_at": _when(previous.due_at), "extended": True},
            new_value={"due_at": _when(exercise.due_at), "extended": False},
            reason=reason,
        )
        return _rejudge(
            actor=actor, student_id=student_id, exercise=exercise, due_at=exercise.due_at
        )


def _rejudge(
    *, actor: AbstractBaseUser, student_id: int, exercise: Exercise, due_at: datetime | None
) -> Rejudged:
    """Set each answer's lateness from `due_at`; regrade the graded answers whose late
    penalty that changes. An answer still queued or running reads its flag when a
    worker grades it, so it needs nothing more."""
    answers = Submission.objects.filter(student_id=student_id, exercise=exercise)
    if due_at is None:
        to_on_time, to_late = answers.filter(is_late=True), answers.none()
    else:
        to_on_time = answers.filter(is_late=True, submitted_at__lte=due_at)
        to_late = answers.filter(is_late=False, submitted_at__gt=due_at)
    on_time_ids = list(to_on_time.values_list("pk", flat=True))
    late_ids = list(to_late.values_list("pk", flat=True))
    Submission.objects.filter(pk__in=on_time_ids).update(is_late=False)
    Submission.objects.filter(pk__in=late_ids).update(is_late=True)
    regrade_ids: list[int] = []
    if exercise.late_penalty:
        regrade_ids = list(
            Submission.objects.filter(
                pk__in=on_time_ids + late_ids, status=Submission.Status.GRADED
            ).values_list("pk", flat=True)
        )
    if regrade_ids:
        regrade_request(
            actor=actor,
            submission_ids=regrade_ids,
            reason="The late penalty changes with the student's due date.",
        )
    score_refresh(student_id=student_id, exercise=exercise)
    return Rejudged(now_on_time=len(on_time_ids), now_late=len(late_ids), regraded=len(regrade_ids))
