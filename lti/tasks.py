from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from . import grades, services


@shared_task(bind=True, acks_late=True, max_retries=None)
def publish_grade_task(self: Any, publication_id: int) -> None:
    # Retried with a doubling delay while the platform fails; after
    # LTI_PUBLISH_MAX_RETRIES the row is left `failed` for the staff to resend.
    try:
        grades.publication_send(publication_id=publication_id)
    except grades.PublishFailed as exc:
        if self.request.retries >= settings.LTI_PUBLISH_MAX_RETRIES:
            grades.publication_give_up(publication_id=publication_id)
            return
        delay = settings.LTI_PUBLISH_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task
def publish_pending_grades_task() -> int:
    return len(
        grades.publications_sweep(older_than_seconds=settings.LTI_PUBLISH_SWEEP_AFTER_SECONDS)
    )


@shared_task
def purge_used_nonces_task() -> int:
    return services.nonces_purge()
