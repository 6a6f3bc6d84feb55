from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grader.models import AuditLogEntry, Score, ScoreOverride, Submission, SubmissionResultHistory
from grader.overrides import OverrideRejected, active_overrides, override_remove, override_set
from grader.regrade import regrade_dispatch, regrade_request
from grader.services import submission_grade


def _score(sub: Submission) -> Score:
    return Score.objects.get(student_id=sub.student_id, exercise_id=sub.exercise_id)


def test_an_override_sets_the_kept_score_and_is_audited(graded, staff_user) -> None:
    assert graded.score == 0 and _score(graded).kept_score == 0
    override_set(
        actor=staff_user, submission=graded, score=7.5, reason="equivalent form, checked by hand"
    )
    graded.refresh_from_db()
    assert graded.score == 0  # the graded score stays what the grader said
    assert _score(graded).kept_score == 7.5 and _score(graded).best_score == 7.5
    assert active_overrides(student_id=graded.student_id, exercise=graded.exercise) == {
        graded.pk: 7.5
    }
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor_username, entry.submission_id, entry.student_id) == (
        "override_set",
        "sam",
        graded.pk,
        graded.student_id,
    )
    assert entry.old_value == {"score": 0.0, "overridden": False}
    assert entry.new_value == {"score": 7.5, "overridden": True}
    assert entry.reason == "equivalent form, checked by hand"


def test_a_second_override_revokes_the_first_and_records_the_old_value(graded, staff_user) -> None:
    override_set(actor=staff_user, submission=graded, score=7.5, reason="first")
    override_set(actor=staff_user, submission=graded, score=9, reason="second look")
    assert ScoreOverride.objects.filter(revoked_at__isnull=True).get().score == 9
    assert ScoreOverride.objects.count() == 2
    assert AuditLogEntry.objects.order_by("id").last().old_value == {
        "score": 7.5,
        "overridden": True,
    }
    assert _score(graded).kept_score == 9


def test_removing_an_override_restores_the_graded_score(graded, staff_user) -> None:
    override_set(actor=staff_user, submission=graded, score=7.5, reason="r")
    override_remove(actor=staff_user, submission=graded, reason="was wrong")
    assert _score(graded).kept_score == 0
    assert active_overrides(student_id=graded.student_id, exercise=graded.exercise) == {}
    assert AuditLogEntry.objects.order_by("id").last().action == "override_removed"


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [(5, "  ", "reason is required"), (11, "r", "between 0 and 10"), (-1, "r", "between 0 and 10")],
)
def test_an_override_needs_a_reason_and_a_score_in_range(
    graded, staff_user, score, reason, message
) -> None:
    with pytest.raises(OverrideRejected, match=message):
        override_set(actor=staff_user, submission=graded, score=score, reason=reason)
    assert not ScoreOverride.objects.exists() and not AuditLogEntry.objects.exists()


def test_an_override_survives_a_regrade(
    graded, staff_user, django_capture_on_commit_callbacks
) -> None:
    """The regrade replaces the graded result (kept in history); the override, keyed
    to the submission, still decides the kept score afterwards."""
    override_set(actor=staff_user, submission=graded, score=6, reason="partial credit")
    with django_capture_on_commit_callbacks(execute=False):
        job = regrade_request(
            actor=staff_user, submission_ids=[graded.pk], reason="reference fixed"
        )
    with django_capture_on_commit_callbacks(execute=False):
        regrade_dispatch(job_id=job.pk)
    graded.refresh_from_db()
    assert graded.status == Submission.Status.QUEUED
    assert submission_grade(submission_id=graded.pk) is not None
    graded.refresh_from_db()
    assert graded.status == "graded" and graded.score == 0 and graded.graded_at is not None
    assert SubmissionResultHistory.objects.get(submission=graded).score == 0
    assert _score(graded).kept_score == 6


def test_the_override_form_requires_a_reason(staff_client: Client, graded) -> None:
    url = reverse("console:override", args=[graded.pk])
    response = staff_client.post(url, {"score": "8", "reason": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = staff_client.post(url, {"score": "80", "reason": "x"})
    assert response.status_code == 400 and "less than or equal to 10" in response.content.decode()
    assert not ScoreOverride.objects.exists()


def test_an_override_made_in_the_console_shows_on_the_page_and_in_the_audit_log(
    staff_client: Client, graded
) -> None:
    url = reverse("console:override", args=[graded.pk])
    response = staff_client.post(
        url, {"score": "8", "reason": "accepted 2x·cos(x²) written oddly"}, follow=True
    )
    page = response.content.decode()
    assert 'id="override-score">8' in page
    audit = staff_client.get(reverse("console:audit")).content.decode()
    row = audit.split('class="audit-override_set"')[1].split("</tr>")[0]
    assert "sam" in row and "score overridden" in row and "accepted 2x·cos(x²) written oddly" in row
    assert ">0</td>" in row and ">8</td>" in row
    gradebook = staff_client.get(reverse("dashboard:gradebook")).content.decode()
    assert '8 <span class="meta">(1)</span>' in gradebook
