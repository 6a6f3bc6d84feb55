from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import task_postrun, task_prerun, worker_process_init
from django.db import close_old_connections

from exercises.course import freeze_loaded_objects

from . import quiz_attempts, regrade, services

logger = logging.getLogger(__name__)


@worker_process_init.connect
def _start_sandbox(**kwargs: Any) -> None:
    """Start this worker process's sandbox zygote now, so the first student after a
    (re)start does not wait the 1-1.5 s of importing torch in it."""
    from .sandbox.client import prestart

    try:
        prestart()
    except Exception:  # the first job retries the start and reports the failure
        logger.exception("the sandbox zygote did not start at worker start-up")
    # Load the specs and their grading modules (torch) now, and keep what is loaded out
    # of the garbage collector's full collections: with torch a process tracks ~1,000,000
    # objects, and each full collection walked them all (~0.5 s of CPU mid-answer).
    freeze_loaded_objects(grading=True)


@task_prerun.connect
@task_postrun.connect
def _database_connections(sender: Any = None, **kwargs: Any) -> None:
    """Keep the worker's database connection between tasks, as gunicorn does between
    requests, and drop it when it is broken or older than CONN_MAX_AGE.

    Celery's Django fixup closes it before and after every task unless
    CELERY_DB_REUSE_MAX is set (settings.py sets it): PostgreSQL then forked a backend
    for every answer, whose cold catalog caches made the first statement of each task
    (the claim) cost ~4 ms of the database's time, the most of any statement."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # inside the caller's transaction (tests): leave its connection alone
    close_old_connections()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def grade_submission_task(self: Any, submission_id: int) -> None:
    # The broker marks a message it hands out again (the worker running it was killed
    # and reject_on_worker_lost requeued it): the row is still `running`, so take it
    # back now rather than leave it to the sweep, GRADER_STUCK_AFTER_SECONDS later.
    if (self.request.delivery_info or {}).get("redelivered"):
        services.submission_take_back(submission_id=submission_id)
    services.submission_grade(submission_id=submission_id)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def grade_quiz_attempt_task(self: Any, attempt_id: int) -> None:
    # A quiz attempt takes the same road as a submission (see grade_submission_task).
    if (self.request.delivery_info or {}).get("redelivered"):
        quiz_attempts.quiz_attempt_take_back(attempt_id=attempt_id)
    quiz_attempts.quiz_attempt_grade(attempt_id=attempt_id)


@shared_task
def sweep_stuck_submissions_task() -> int:
    return len(services.submissions_requeue_stuck()) + len(quiz_attempts.quiz_attempts_sweep())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def regrade_dispatch_task(job_id: int) -> None:
    regrade.regrade_dispatch(job_id=job_id)
