from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.console_selectors import queue_health
from grader.models import AuditLogEntry, Submission


def test_queue_health_counts_statuses_and_finds_the_oldest_and_stuck(
    course, student, make_submission
) -> None:
    chain = course["chain-rule"]
    make_submission(student, chain, 10)
    make_submission(student, chain, 0, status=Submission.Status.ERROR)
    old = make_submission(student, chain, 0, status=Submission.Status.QUEUED)
    make_submission(student, chain, 0, status=Submission.Status.QUEUED, at=timezone.now())
    Submission.objects.filter(pk=old.pk).update(enqueued_at=timezone.now() - timedelta(minutes=10))

    health = queue_health()

    assert health.counts == {"queued": 2, "running": 0, "error": 1}
    assert health.oldest_queued_age is not None and health.oldest_queued_age >= timedelta(
        minutes=10
    )
    assert health.stuck == 1
    assert [s.status for s in health.recent_failures] == ["error"]


def test_the_queue_page_shows_workers_from_a_ping(instructor_client: Client, monkeypatch) -> None:
    monkeypatch.setattr(
        "dashboard.console_selectors.workers_alive", lambda **_: ["celery@grader-1"]
    )
    page = instructor_client.get(reverse("console:queue")).content.decode()
    assert f'hx-get="{reverse("console:queue_workers")}"' in page
    fragment = instructor_client.get(reverse("console:queue_workers")).content.decode()
    assert "1 worker answered" in fragment and "celery@grader-1" in fragment
    monkeypatch.setattr("dashboard.console_selectors.workers_alive", lambda **_: [])
    assert (
        "No worker answered"
        in instructor_client.get(reverse("console:queue_workers")).content.decode()
    )
    monkeypatch.setattr("dashboard.console_selectors.workers_alive", lambda **_: None)
    assert (
        "broker could not be reached"
        in instructor_client.get(reverse("console:queue_workers")).content.decode()
    )


def test_re_enqueue_stuck_puts_them_back_in_the_queue_and_audits_it(
    staff_client: Client, course, student, make_submission, django_capture_on_commit_callbacks
) -> None:
    stuck = make_submission(student, course["chain-rule"], 0, status=Submission.Status.RUNNING)
    Submission.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        response = staff_client.post(reverse("console:requeue_stuck"), follow=True)
    assert "Re-enqueued 1 stuck submission(s)." in response.content.decode()
    assert len(enqueued) == 1
    stuck.refresh_from_db()
    assert stuck.status == "queued"
    entry = AuditLogEntry.objects.get()
    assert entry.action == "requeue_stuck" and entry.new_value == {
        "requeued": 1,
        "submissions": [stuck.pk],
    }
