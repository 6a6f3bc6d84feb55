"""The Django admin side of the console: filters and actions on submissions, and an
audit log that nobody can change or delete from the UI."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from grader.models import AuditLogEntry
from grader.overrides import override_set


def test_submission_changelist_filters_by_status_exercise_and_score(
    staff_client: Client, course, student, make_submission
) -> None:
    make_submission(student, course["chain-rule"], 10)
    make_submission(student, course["chain-rule"], 4, misconception="sign-error")
    url = reverse("admin:grader_submission_changelist")
    full = staff_client.get(url, {"band": "full"}).content.decode()
    partial = staff_client.get(url, {"band": "partial", "misconceived": "yes"}).content.decode()
    assert "sign-error" not in full and "sign-error" in partial
    assert (
        staff_client.get(
            url, {"status__exact": "graded", "exercise__id__exact": course["chain-rule"].pk}
        ).status_code
        == 200
    )


def test_the_audit_log_is_read_only_in_the_admin(staff_client: Client, graded, staff_user) -> None:
    override_set(actor=staff_user, submission=graded, score=5, reason="original reason")
    entry = AuditLogEntry.objects.get()
    change = reverse("admin:grader_auditlogentry_change", args=[entry.pk])
    page = staff_client.get(change).content.decode()
    assert "original reason" in page and 'name="_save"' not in page
    staff_client.post(
        change, {"reason": "rewritten", "actor_username": "nobody", "action": "override_set"}
    )
    assert (
        staff_client.get(reverse("admin:grader_auditlogentry_delete", args=[entry.pk])).status_code
        == 403
    )
    staff_client.post(
        reverse("admin:grader_auditlogentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    changelist = staff_client.get(reverse("admin:grader_auditlogentry_changelist")).content.decode()
    assert "delete_selected" not in changelist
    staff_client.post(
        reverse("admin:grader_auditlogentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert staff_client.get(reverse("admin:grader_auditlogentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "original reason" and entry.actor_username == "sam"
    assert AuditLogEntry.objects.count() == 1


def test_overrides_and_regrade_jobs_are_read_only_in_the_admin(
    staff_client: Client, graded, staff_user
) -> None:
    override = override_set(actor=staff_user, submission=graded, score=5, reason="r")
    assert (
        staff_client.get(
            reverse("admin:grader_scoreoverride_delete", args=[override.pk])
        ).status_code
        == 403
    )
    page = staff_client.get(
        reverse("admin:grader_scoreoverride_change", args=[override.pk])
    ).content.decode()
    assert 'name="_save"' not in page
