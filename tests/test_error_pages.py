"""Error pages use the site's layout (the header, a skip link) and say what to do next."""

from __future__ import annotations

from django.test import Client, RequestFactory

from autograd_course.errors import server_error


def test_not_found_says_where_to_look(course, student, settings) -> None:
    settings.DEBUG = False
    client = Client()
    client.force_login(student)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'class="skip-link"' in page and "Log out" in page  # the layout, logged in
    assert "Page not found" in page and "What to do now" in page
    assert 'href="/"' in page and "list of exercises" in page


def test_forbidden_says_which_account_to_use(course, student, settings) -> None:
    settings.DEBUG = False
    client = Client()
    client.force_login(student)
    response = client.get("/dashboard/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in page and "Instructors only." in page
    assert "/accounts/login/?next=/dashboard/" in page


def test_a_server_error_page_has_the_layout_without_a_request_context(db) -> None:
    request = RequestFactory().get("/exercises/chain-rule/")
    try:
        raise KeyError("bug")
    except KeyError:
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert 'class="skip-link"' in page and "Something went wrong" in page
    assert "What to do now" in page and "tell your instructor" in page


def test_the_lockout_page_says_how_long_to_wait(course, student, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        response = client.post(
            "/accounts/login/", {"username": "alice", "password": "wrong"}, REMOTE_ADDR="10.0.0.9"
        )
    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed logins" in page and 'class="skip-link"' in page
    assert "Wait 10 minutes" in page and "ask your instructor" in page


def test_the_favicon_is_served(db) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")
