"""Web security: headers, CSP, CSRF on state changes, login throttling, staff routes."""

import pytest
from django.test import Client

from grader.models import Submission


def test_pages_send_a_csp_without_inline_scripts_and_security_headers(course, student) -> None:
    client = Client()
    client.force_login(student)
    response = client.get("/exercises/chain-rule/")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.content.decode()  # no inline script blocks at all


def test_submitting_without_a_csrf_token_is_refused(course, student) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post("/exercises/chain-rule/", {"answer": "2x cos(x^2)"})
    assert response.status_code == 403
    assert Submission.objects.count() == 0


def test_logout_is_a_post(student) -> None:
    client = Client()
    client.force_login(student)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failed_logins_lock_the_account_for_a_while(student, settings) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "alice", "password": "alice-password-1"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    # Another account from the same place is not locked out by alice's failures.
    from django.contrib.auth.models import User

    User.objects.create_user("carol", password="carol-password-1")
    assert (
        client.post(
            "/accounts/login/", {"username": "carol", "password": "carol-password-1"}
        ).status_code
        == 302
    )


def test_a_correct_login_works_and_redirects_to_the_exercises(student) -> None:
    response = Client().post(
        "/accounts/login/", {"username": "alice", "password": "alice-password-1"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.parametrize("url", ["/admin/", "/admin/grader/submission/", "/admin/auth/user/"])
def test_students_and_anonymous_users_cannot_reach_the_admin(student, url: str) -> None:
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client = Client()
    client.force_login(student)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_another_students_attempt_is_not_shown_on_the_exercise_page(
    course, student, other_student
) -> None:
    mine = Client()
    mine.force_login(student)
    mine.post("/exercises/chain-rule/", {"answer": "7*x*sin(x)"})
    sub = Submission.objects.get()
    theirs = Client()
    theirs.force_login(other_student)
    page = theirs.get(f"/exercises/chain-rule/?submission={sub.pk}").content.decode()
    assert "No attempts yet." in page and "7*x*sin(x)" not in page
    assert 'id="result-card"' not in page
