"""Writes started from the console that are not the grader's own: re-enqueueing stuck
submissions on a staff member's request, with an audit entry."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from grader.audit import audit_record
from grader.models import AuditLogEntry
from grader.services import submissions_requeue_stuck


def stuck_requeue(*, actor: AbstractBaseUser) -> list[int]:
    """Run the stuck-submission sweep now (the same one Celery beat runs), and record
    who asked and what it re-enqueued."""
    with transaction.atomic():
        requeued = submissions_requeue_stuck()
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.REQUEUE_STUCK,
            new_value={"requeued": len(requeued), "submissions": requeued[:100]},
        )
    return requeued
