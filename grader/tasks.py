from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def grade_submission_task(submission_id: int) -> None:
    services.submission_grade(submission_id=submission_id)


@shared_task
def sweep_stuck_submissions_task() -> int:
    return len(services.submissions_requeue_stuck())


@shared_task(acks_late=True, reject_on_worker_lost=True)
def regrade_dispatch_task(job_id: int) -> None:
    from . import regrade  # regrade imports this module lazily; keep both directions lazy

    regrade.regrade_dispatch(job_id=job_id)
