"""A regrade of a whole exercise through the real broker and a real worker process:
the dispatch task and every grading task run in the worker."""

from __future__ import annotations

import pytest
from django.conf import settings

from exercises.spec import variant_seed
from grader.models import RegradeJob, Score, Submission, SubmissionResultHistory
from grader.regrade import regrade_progress, regrade_request
from tests.support.wait import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def stored(student, exercise, answer: str, attempt: int, score: float) -> Submission:
    """A submission as an earlier (wrong) grader left it: graded, with a stale score."""
    return Submission.objects.create(
        student=student, exercise=exercise, answer=answer, status=Submission.Status.GRADED,
        score=score, max_score=exercise.max_score, results={"score": score, "tests": []},
        seed=variant_seed(student.pk, exercise.slug), attempt=attempt, grader_version="broken-ref",
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_whole_exercise_is_regraded_by_the_worker(
    course, student, other_student, staff_user, celery_worker_process, broker_app
) -> None:
    chain = course["chain-rule"]
    right = stored(student, chain, "2*x*cos(x^2)", 1, 3.0)
    wrong = stored(other_student, chain, "cos(x^2)", 1, 10.0)
    job = regrade_request(actor=staff_user, exercise=chain, reason="reference fixed")

    def complete() -> bool:
        job.refresh_from_db()
        return regrade_progress(job=job).is_complete

    wait_until(
        complete, 90, lambda: f"the regrade to complete ({regrade_progress(job=job)})", interval=0.2
    )

    progress = regrade_progress(job=job)
    assert (progress.done, progress.total, progress.errored) == (2, 2, 0), progress
    assert RegradeJob.objects.get(pk=job.pk).status == "dispatched"
    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (right.score, right.grader_version) == (10, settings.GRADER_VERSION)
    assert (wrong.score, wrong.misconception) == (0, "missing-inner-factor")
    assert SubmissionResultHistory.objects.filter(job=job).count() == 2
    assert Score.objects.get(student=student, exercise=chain).kept_score == 10
    assert Score.objects.get(student=other_student, exercise=chain).kept_score == 0


def test_queue_health_sees_the_running_worker_by_ping(
    db, celery_worker_process, broker_app
) -> None:
    from dashboard.console_selectors import workers_alive

    names = workers_alive(timeout=3.0)
    assert names and all(name.startswith("celery@") for name in names)
