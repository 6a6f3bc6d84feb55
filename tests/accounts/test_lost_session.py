"""A lost session (a logout in another tab) during an htmx request: the whole page goes
to the login, and comes back to the page the student was on; never a login page swapped
into a fragment."""

from __future__ import annotations

from django.test import Client

from grader.models import Submission


def _pending(student, course) -> Submission:
    return Submission.objects.create(
        student=student, exercise=course["chain-rule"], answer="x", max_score=10, seed=1, attempt=1
    )


def test_an_htmx_poll_without_a_session_redirects_the_whole_page(course, student) -> None:
    submission = _pending(student, course)
    response = Client().get(
        f"/submissions/{submission.pk}/result?poll=2&wait=15&seen=queued",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver/exercises/chain-rule/?submission={submission.pk}",
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == (
        f"/accounts/login/?next=/exercises/chain-rule/%3Fsubmission%3D{submission.pk}"
    )
    assert "<form" not in response.content.decode()


def test_the_way_back_must_be_on_this_site(course) -> None:
    response = Client().post(
        "/exercises/chain-rule/",
        {"answer": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/phish",
    )
    assert response.status_code == 401 and response["HX-Redirect"] == "/accounts/login/"


def test_a_plain_request_still_gets_the_usual_redirect(course) -> None:
    response = Client().get("/exercises/chain-rule/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/exercises/chain-rule/"


def test_a_form_from_before_a_new_login_says_it_expired(course, student) -> None:
    """Logging in again rotates the CSRF token: a page left open sends a stale one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    htmx = client.post(
        "/exercises/chain-rule/", {"answer": "x", "csrfmiddlewaretoken": "stale"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    fragment = htmx.content.decode()
    assert htmx.status_code == 403 and "form has expired" in fragment
    assert "<html" not in fragment  # a message for the result area, not a page in it
    page = client.post("/exercises/chain-rule/", {"answer": "x"}).content.decode()
    assert "This form has expired" in page and 'class="skip-link"' in page
    assert not Submission.objects.exists()
