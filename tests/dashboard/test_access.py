"""Every staff URL, for every role: anonymous users go to the login page, students get
403, instructors read but cannot write, staff do both; writes need POST and CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from grader.models import AuditLogEntry, RegradeJob, ScoreOverride
from grader.regrade import regrade_request

READ_URLS = [
    ("dashboard:gradebook", {}),
    ("dashboard:gradebook_csv", {}),
    ("dashboard:submissions_csv", {}),
    ("dashboard:submissions_json", {}),
    ("dashboard:exercises", {}),
    ("dashboard:exercise", {"slug": "chain-rule"}),
    ("dashboard:student", {"pk": "student"}),
    ("console:submissions", {}),
    ("console:submission", {"pk": "submission"}),
    ("console:regrades", {}),
    ("console:regrade", {"pk": "job"}),
    ("console:queue", {}),
    ("console:queue_workers", {}),
    ("console:audit", {}),
]
WRITE_URLS = [
    ("console:override", {"pk": "submission"}, {"score": "7", "reason": "re-read by hand"}),
    ("console:override_remove", {"pk": "submission"}, {"reason": "undo"}),
    ("console:regrade_start", {}, {"submissions": "submission", "reason": "reference fixed"}),
    ("console:requeue_stuck", {}, {}),
]


@pytest.fixture
def world(course, student, staff_user, make_submission, monkeypatch) -> dict[str, Any]:
    monkeypatch.setattr("dashboard.console_selectors.workers_alive", lambda **_: ["w1@test"])
    monkeypatch.setattr("grader.queue.enqueue", lambda *args, **kwargs: True)
    sub = make_submission(student, course["chain-rule"], 5.0)
    job = regrade_request(actor=staff_user, exercise=course["chain-rule"])
    return {"student": student.pk, "submission": sub.pk, "job": job.pk}


def _url(name: str, kwargs: dict[str, Any], world: dict[str, Any]) -> str:
    return reverse(name, kwargs={k: world.get(v, v) for k, v in kwargs.items()})


def _data(data: dict[str, str], world: dict[str, Any]) -> dict[str, Any]:
    return {k: world.get(v, v) for k, v in data.items()}


def _writes() -> tuple[int, int, int]:
    return AuditLogEntry.objects.count(), ScoreOverride.objects.count(), RegradeJob.objects.count()


@pytest.mark.parametrize(("name", "kwargs"), READ_URLS)
def test_anonymous_users_are_sent_to_log_in(client: Client, world, name, kwargs) -> None:
    url = _url(name, kwargs, world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "kwargs", "data"), WRITE_URLS)
def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(
    client: Client, world, name, kwargs, data
) -> None:
    before = _writes()
    response = client.post(_url(name, kwargs, world), _data(data, world))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert _writes() == before


@pytest.mark.parametrize(("name", "kwargs"), READ_URLS)
def test_students_get_403_on_every_staff_page_and_export(
    student_client: Client, world, name, kwargs
) -> None:
    response = student_client.get(_url(name, kwargs, world))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs", "data"), WRITE_URLS)
def test_students_get_403_on_every_console_action(
    student_client: Client, world, name, kwargs, data
) -> None:
    before = _writes()
    response = student_client.post(_url(name, kwargs, world), _data(data, world))
    assert response.status_code == 403
    assert _writes() == before


@pytest.mark.parametrize(("name", "kwargs"), READ_URLS)
def test_instructors_can_read_every_page(instructor_client: Client, world, name, kwargs) -> None:
    response = instructor_client.get(_url(name, kwargs, world))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs", "data"), WRITE_URLS)
def test_instructors_who_are_not_staff_cannot_use_console_actions(
    instructor_client: Client, world, name, kwargs, data
) -> None:
    before = _writes()
    response = instructor_client.post(_url(name, kwargs, world), _data(data, world))
    assert response.status_code == 403
    assert _writes() == before


def test_instructors_see_no_write_forms(instructor_client: Client, world) -> None:
    page = instructor_client.get(
        _url("console:submission", {"pk": "submission"}, world)
    ).content.decode()
    assert 'id="override-form"' not in page and 'id="regrade-one"' not in page
    assert "Only staff can override scores" in page
    listing = instructor_client.get(reverse("console:submissions")).content.decode()
    assert "Regrade exercise" not in listing and 'name="submissions"' not in listing


@pytest.mark.parametrize(("name", "kwargs"), READ_URLS)
def test_staff_can_read_every_page(staff_client: Client, world, name, kwargs) -> None:
    assert staff_client.get(_url(name, kwargs, world)).status_code == 200


@pytest.mark.parametrize(("name", "kwargs", "data"), WRITE_URLS)
def test_staff_actions_work_by_post(staff_client: Client, world, name, kwargs, data) -> None:
    if name == "console:override_remove":
        staff_client.post(_url("console:override", kwargs, world), {"score": "3", "reason": "r"})
    before = AuditLogEntry.objects.count()
    response = staff_client.post(_url(name, kwargs, world), _data(data, world))
    assert response.status_code == 302
    assert AuditLogEntry.objects.count() == before + 1


@pytest.mark.parametrize(("name", "kwargs", "data"), WRITE_URLS)
def test_console_actions_refuse_get(staff_client: Client, world, name, kwargs, data) -> None:
    before = _writes()
    assert staff_client.get(_url(name, kwargs, world), _data(data, world)).status_code == 405
    assert _writes() == before


@pytest.mark.parametrize(("name", "kwargs", "data"), WRITE_URLS)
def test_console_actions_need_the_csrf_token(staff_user, world, name, kwargs, data) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    before = _writes()
    response = client.post(_url(name, kwargs, world), _data(data, world))
    assert response.status_code == 403
    assert _writes() == before


ADMIN_URLS = [
    "admin:grader_submission_changelist",
    "admin:grader_score_changelist",
    "admin:grader_auditlogentry_changelist",
    "admin:grader_scoreoverride_changelist",
    "admin:grader_regradejob_changelist",
]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_the_grading_admin_is_closed_to_students_and_to_instructors_who_are_not_staff(
    student_client: Client, instructor_client: Client, world, name
) -> None:
    for client in (student_client, instructor_client):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("admin:login")
        )
