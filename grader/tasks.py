from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init

from . import services

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


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def grade_submission_task(self: Any, submission_id: int) -> None:
    # The broker marks a message it hands out again (the worker running it was killed
    # and reject_on_worker_lost requeued it): the row is still `running`, so take it
    # back now rather than leave it to the sweep, GRADER_STUCK_AFTER_SECONDS later.
    if (self.request.delivery_info or {}).get("redelivered"):
        services.submission_take_back(submission_id=submission_id)
    services.submission_grade(submission_id=submission_id)


@shared_task
def sweep_stuck_submissions_task() -> int:
    return len(services.submissions_requeue_stuck())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def regrade_dispatch_task(job_id: int) -> None:
    from . import regrade  # regrade imports this module lazily; keep both directions lazy

    regrade.regrade_dispatch(job_id=job_id)
