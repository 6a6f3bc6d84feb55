"""A student makes their own API token for the client: shown once, replacing the old."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.services import api_token_user


def _shown_token(page: str) -> str:
    found = re.search(r'<pre id="api-token">([^<]+)</pre>', page)
    assert found is not None, page
    return found[1]


@pytest.mark.django_db
def test_a_student_makes_a_token_that_the_api_accepts_and_a_new_one_replaces_it(
    student,
) -> None:
    client = Client()
    client.force_login(student)
    page = client.get("/accounts/token/")
    assert page.status_code == 200
    assert b"Make a token" in page.content
    assert b'id="api-token"' not in page.content

    made = client.post("/accounts/token/").content.decode()
    first = _shown_token(made)
    assert "export AUTOGRAD_COURSE_URL=http://testserver" in made
    assert f"export AUTOGRAD_COURSE_TOKEN={first}" in made
    assert api_token_user(key=first) == student

    again = client.get("/accounts/token/").content.decode()
    assert first not in again
    assert "Replace my token" in again

    second = _shown_token(client.post("/accounts/token/").content.decode())
    assert api_token_user(key=second) == student
    assert api_token_user(key=first) is None
    answer = Client().get("/api/v1/submissions/1", HTTP_AUTHORIZATION=f"Token {first}")
    assert answer.status_code == 401


@pytest.mark.django_db
def test_the_token_page_needs_a_login() -> None:
    response = Client().post("/accounts/token/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
