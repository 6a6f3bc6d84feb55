"""Putting grading work on the broker: one place, and one behaviour when it is down.

Tasks are sent by name through the configured Celery app, so the services that enqueue
(and that the tasks themselves call) import no task module: no import loop between
tasks, services and regrades. When the broker cannot take a message, the row it is about
stays queued and the periodic sweep sends it again: nobody gets an error, and nothing
is lost, because our broker was down for a moment."""

from __future__ import annotations

import logging

from celery import current_app

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
