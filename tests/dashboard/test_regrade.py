from __future__ import annotations

from django.test import Client
from django.urls import reverse

from grader.models import AuditLogEntry, RegradeJob, Score, Submission, SubmissionResultHistory
from grader.regrade import regrade_dispatch, regrade_progress, regrade_request
from grader.services import submission_create, submission_grade


def _grade_all_queued() -> None:
    for pk in Submission.objects.filter(status="queued").values_list("id", flat=True):
        submission_grade(submission_id=pk)


def test_a_regrade_of_an_exercise_snapshots_requeues_and_regrades_every_final_submission(
    course,
    student,
    other_student,
    staff_user,
    django_capture_on_commit_callbacks,
) -> None:
    chain = course["chain-rule"]
    subs = []
    for who, answer in (
        (student, "cos(x^2)"),
        (student, "2x cos(x^2)"),
        (other_student, "2*x*sin(x^2)"),
    ):
        sub = submission_create(student=who, exercise=chain, answer=answer)
        submission_grade(submission_id=sub.pk)
        subs.append(sub)
    pending = submission_create(student=other_student, exercise=chain, answer="x")  # still queued
    # A result a broken reference produced, which the regrade must replace.
    Submission.objects.filter(pk=subs[1].pk).update(
        score=0, misconception="bogus", grader_version="old"
    )
    Score.objects.filter(student=student).update(best_score=0, kept_score=0)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = regrade_request(actor=staff_user, exercise=chain, reason="reference fixed")
    assert len(callbacks) == 1  # one dispatch task, enqueued on commit
    assert regrade_progress(job=job).total is None  # not dispatched yet
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        regrade_dispatch(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "dispatched" and job.total == 3
    assert len(enqueued) == 3  # one grading task per submission, after commit
    assert set(
        Submission.objects.filter(pk__in=[s.pk for s in subs]).values_list("status", flat=True)
    ) == {"queued"}
    assert SubmissionResultHistory.objects.get(submission=subs[1]).grader_version == "old"
    assert regrade_progress(job=job).done == 0

    _grade_all_queued()

    progress = regrade_progress(job=job)
    assert (progress.done, progress.total, progress.is_complete, progress.percent) == (
        3,
        3,
        True,
        100,
    )
    fixed = Submission.objects.get(pk=subs[1].pk)
    assert fixed.score == 10 and fixed.misconception == "" and fixed.grader_version != "old"
    assert Score.objects.get(student=student, exercise=chain).kept_score == 10
    pending.refresh_from_db()
    assert not SubmissionResultHistory.objects.filter(submission=pending).exists()
    assert AuditLogEntry.objects.get(action="regrade_requested").exercise_id == chain.pk


def test_a_redelivered_dispatch_does_not_take_a_submission_twice(
    graded, staff_user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        job = regrade_request(actor=staff_user, submission_ids=[graded.pk])
        regrade_dispatch(job_id=job.pk)
    assert regrade_dispatch(job_id=job.pk) is None  # already dispatched
    RegradeJob.objects.filter(pk=job.pk).update(status="dispatching")  # as if the worker died
    with django_capture_on_commit_callbacks(execute=False) as again:
        regrade_dispatch(job_id=job.pk)
    assert again == [] and SubmissionResultHistory.objects.filter(job=job).count() == 1


def test_regrading_a_selection_from_the_console_redirects_to_its_progress(
    staff_client: Client, graded, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        response = staff_client.post(
            reverse("console:regrade_start"), {"submissions": [graded.pk], "reason": "check"}
        )
    job = RegradeJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "console:regrade", args=[job.pk]
    )
    assert job.submission_ids == [graded.pk] and job.scope == "submissions"
    page = staff_client.get(response["Location"]).content.decode()
    assert 'data-state="preparing"' in page and 'hx-trigger="every 1s"' in page
    with django_capture_on_commit_callbacks(execute=False):
        regrade_dispatch(job_id=job.pk)
    _grade_all_queued()
    partial = staff_client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.status_code == 286  # htmx stops polling
    assert (
        'data-state="complete"' in partial.content.decode() and "1 of 1" in partial.content.decode()
    )
    done = staff_client.get(response["Location"]).content.decode()
    assert "hx-trigger" not in done.split('id="regrade-progress"')[1].split(">")[0]


def test_regrade_needs_exactly_one_target(staff_client: Client, graded, course) -> None:
    response = staff_client.post(
        reverse("console:regrade_start"), {"reason": "nothing"}, follow=True
    )
    assert "Choose either some submissions or one exercise." in response.content.decode()
    response = staff_client.post(
        reverse("console:regrade_start"),
        {"submissions": [graded.pk], "exercise": "chain-rule"},
        follow=True,
    )
    assert "Choose either" in response.content.decode()
    assert not RegradeJob.objects.exists()


def test_the_submission_page_shows_earlier_results_after_a_regrade(
    staff_client: Client, graded, staff_user, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        job = regrade_request(actor=staff_user, submission_ids=[graded.pk])
        regrade_dispatch(job_id=job.pk)
    _grade_all_queued()
    page = staff_client.get(reverse("console:submission", args=[graded.pk])).content.decode()
    history = page.split('id="history"')[1].split("</table>")[0]
    assert f"#{job.pk}" in history and "missing-inner-factor" in history
    assert "dz/dx at 4 more points" in page  # every check, hidden ones included
    assert "sandbox_ms" in page


def test_the_django_admin_action_regrades_the_selected_submissions(
    staff_client: Client, graded, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        response = staff_client.post(
            reverse("admin:grader_submission_changelist"),
            {"action": "regrade_selected", "_selected_action": [graded.pk]},
            follow=True,
        )
    job = RegradeJob.objects.get()
    assert job.submission_ids == [graded.pk]
    assert f"Regrade #{job.pk} requested" in response.content.decode()


def test_a_huge_selection_is_refused_in_favour_of_an_exercise_regrade(staff_user, db) -> None:
    import pytest

    from grader.regrade import MAX_SELECTION, RegradeRejected

    with pytest.raises(RegradeRejected, match="regrade the exercise"):
        regrade_request(actor=staff_user, submission_ids=range(1, MAX_SELECTION + 2))
    assert not RegradeJob.objects.exists()
