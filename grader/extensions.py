"""Extensions: a later due date for one student on one exercise, or a later closing
time on one quiz (a new attempt may be started until then).

An answer is late when it was submitted after the student's due date: their extension
if they have one, else the exercise's (grader.deadlines). Granting, changing or removing an
extension judges that student's earlier answers again: each answer whose lateness
changes gets its flag changed, and a graded one on an exercise with a late penalty is
regraded through the ordinary regrade (grader.regrade), so the penalty is applied or
lifted by the same grading run as the first time. Every change is in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from exercises.models import Exercise, Quiz

from .audit import audit_record
from .deadlines import deadline_of, extension_of
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


def _audit(
    *,
    actor: AbstractBaseUser,
    action: AuditLogEntry.Action,
    student_id: int,
    item: Exercise | Quiz,
    old: dict[str, Any],
    new: dict[str, Any],
    reason: str,
) -> None:
    # The log's exercise column names an exercise; a quiz is named in the values.
    named = {} if isinstance(item, Exercise) else {"quiz": item.slug}
    audit_record(
        actor=actor,
        action=action,
        exercise=item if isinstance(item, Exercise) else None,
        student_id=student_id,
        old_value={**named, **old},
        new_value={**named, **new},
        reason=reason,
    )


def extension_set(
    *,
    actor: AbstractBaseUser,
    student_id: int,
    item: Exercise | Quiz,
    due_at: datetime,
    reason: str,
) -> Rejudged:
    """Give the student `due_at` as their due date for an exercise, or closing time for
    a quiz (replacing any earlier extension), for a stated reason; their answers to an
    exercise are judged again against it."""
    reason = reason.strip()
    deadline = deadline_of(item)
    if not reason:
        raise ExtensionRejected("A reason is required.")
    if deadline is None:
        raise ExtensionRejected(f"“{item.title}” has no due date or closing time to extend.")
    if due_at <= deadline:
        raise ExtensionRejected(
            f"The new date must be after “{item.title}”'s own, "
            f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}."
        )
    with transaction.atomic():
        previous = (
            DueExtension.objects.select_for_update()
            .filter(student_id=student_id, **extension_of(item))
            .first()
        )
        DueExtension.objects.update_or_create(
            student_id=student_id,
            **extension_of(item),
            defaults={
                "due_at": due_at,
                "reason": reason,
                "granted_by_id": actor.pk,
                "granted_at": timezone.now(),
            },
        )
        _audit(
            actor=actor,
            action=AuditLogEntry.Action.EXTENSION_SET,
            student_id=student_id,
            item=item,
            old={
                "due_at": _when(previous.due_at if previous else deadline),
                "extended": previous is not None,
            },
            new={"due_at": _when(due_at), "extended": True},
            reason=reason,
        )
        if isinstance(item, Quiz):
            return Rejudged(now_on_time=0, now_late=0, regraded=0)
        return _rejudge(actor=actor, student_id=student_id, exercise=item, due_at=due_at)


def extension_remove(
    *, actor: AbstractBaseUser, student_id: int, item: Exercise | Quiz, reason: str
) -> Rejudged:
    """Take the student's extension back: the item's own date holds for them again."""
    reason = reason.strip()
    if not reason:
        raise ExtensionRejected("A reason is required.")
    with transaction.atomic():
        previous = (
            DueExtension.objects.select_for_update()
            .filter(student_id=student_id, **extension_of(item))
            .first()
        )
        if previous is None:
            raise ExtensionRejected(f"This student has no extension on “{item.title}”.")
        previous.delete()
        _audit(
            actor=actor,
            action=AuditLogEntry.Action.EXTENSION_REMOVED,
            student_id=student_id,
            item=item,
            old={"due_at": _when(previous.due_at), "extended": True},
            new={"due_at": _when(deadline_of(item)), "extended": False},
            reason=reason,
        )
        if isinstance(item, Quiz):
            return Rejudged(now_on_time=0, now_late=0, regraded=0)
        return _rejudge(actor=actor, student_id=student_id, exercise=item, due_at=item.due_at)


def _rejudge(
    *, actor: AbstractBaseUser, student_id: int, exercise: Exercise, due_at: datetime | None
) -> Rejudged:
    """Set each answer's lateness from `due_at`; regrade the graded answers whose late
    penalty that changes. An answer still queued reads its flag when a worker grades
    it; one being graded right now is stored only if its flag still holds, else graded
    again (services.submission_grade)."""
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
