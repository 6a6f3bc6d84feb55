"""Manual score overrides, each recorded in the audit log.

An override belongs to a submission. `services.score_refresh` reads the active
override of each of the student's submissions with them and uses them in place of the graded scores, so the
submission keeps its own graded score (a regrade replaces that) while the kept score
is the override, before and after any regrade."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from exercises.models import Exercise

from .audit import audit_record
from .models import AuditLogEntry, ScoreOverride, Submission
from .services import score_refresh


class OverrideRejected(ValueError):
    """The override was not recorded; the message says why, for the form."""


def active_overrides(*, student_id: int, exercise: Exercise) -> dict[int, float]:
    """{submission id: overriding score} for one student's submissions to one exercise."""
    rows = ScoreOverride.objects.filter(
        submission__student_id=student_id,
        submission__exercise=exercise,
        revoked_at__isnull=True,
    ).values_list("submission_id", "score")
    return dict(rows)


def override_active(*, submission: Submission) -> ScoreOverride | None:
    return ScoreOverride.objects.filter(submission=submission, revoked_at__isnull=True).first()


def _refresh(submission: Submission) -> None:
    score_refresh(student_id=submission.student_id, exercise=submission.exercise)


def override_set(
    *, actor: AbstractBaseUser, submission: Submission, score: float, reason: str
) -> ScoreOverride:
    """Give a submission a manual score (0..max_score) for a stated reason; the audit
    log gets who, when, the old value (previous override, else the graded score) and
    the new one, and the student's Score is recomputed."""
    reason = reason.strip()
    if not reason:
        raise OverrideRejected("A reason is required.")
    if not 0 <= score <= submission.max_score:
        raise OverrideRejected(f"The score must be between 0 and {submission.max_score:g}.")
    with transaction.atomic():
        # Lock the submission so two overrides at once cannot both be "active".
        locked = (
            Submission.objects.select_for_update().select_related("exercise").get(pk=submission.pk)
        )
        previous = override_active(submission=locked)
        now = timezone.now()
        if previous is not None:
            ScoreOverride.objects.filter(pk=previous.pk).update(revoked_at=now)
        override = ScoreOverride.objects.create(
            submission=locked, score=score, reason=reason, created_by_id=actor.pk, created_at=now
        )
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.OVERRIDE_SET,
            submission=locked,
            old_value={
                "score": previous.score if previous else locked.score,
                "overridden": bool(previous),
            },
            new_value={"score": score, "overridden": True},
            reason=reason,
        )
        _refresh(locked)
    return override


def override_remove(*, actor: AbstractBaseUser, submission: Submission, reason: str) -> None:
    """Revoke the active override: the graded score counts again."""
    reason = reason.strip()
    if not reason:
        raise OverrideRejected("A reason is required.")
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update().select_related("exercise").get(pk=submission.pk)
        )
        previous = override_active(submission=locked)
        if previous is None:
            raise OverrideRejected("This submission has no override to remove.")
        ScoreOverride.objects.filter(pk=previous.pk).update(revoked_at=timezone.now())
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.OVERRIDE_REMOVED,
            submission=locked,
            old_value={"score": previous.score, "overridden": True},
            new_value={"score": locked.score, "overridden": False},
            reason=reason,
        )
        _refresh(locked)
