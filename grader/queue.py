"""Putting grading work on the broker: one place, and one behaviour when it is down.

Tasks are sent by name through the configured Celery app, so the services that enqueue
(and that the tasks themselves call) import no task module: no import loop between
tasks, services and regrades. When the broker cannot take a message, the row it is about
stays queued and the periodic sweep sends it again: nobody gets an error, and nothing
is lost, because our broker was down for a moment."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

GRADE_SUBMISSION = "grader.tasks.grade_submission_task"
GRADE_QUIZ_ATTEMPT = "grader.tasks.grade_quiz_attempt_task"
REGRADE_DISPATCH = "grader.tasks.regrade_dispatch_task"


def enqueue(task: str, object_id: int, *, countdown: float = 0) -> bool:
    """Send ``task(object_id)``; False (logged) if the broker did not take it."""
    try:
        current_app.send_task(task, args=(object_id,), countdown=countdown or None)
    except Exception:
        logger.exception("could not enqueue %s(%s); the sweep will retry", task, object_id)
        return False
    return True


def enqueue_on_commit(task: str, object_id: int, *, countdown: float = 0) -> None:
    """``enqueue`` once the current transaction commits: the worker must find the row."""
    transaction.on_commit(partial(enqueue, task, object_id, countdown=countdown))


def requeue(
    rows: QuerySet[Any],
    pk: int,
    *,
    from_status: str,
    to_status: str,
    task: str,
    countdown: float = 0,
) -> bool:
    """Put one row back in the queue (a compare-and-set on its status) and send its task
    after commit; False if the row had moved on meanwhile. Shared by the grading
    retries and the sweep, for submissions and quiz attempts alike."""
    with transaction.atomic():
        if not rows.filter(pk=pk, status=from_status).update(
            status=to_status, enqueued_at=timezone.now()
        ):
            return False
        enqueue_on_commit(task, pk, countdown=countdown)
    return True
