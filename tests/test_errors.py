"""What a student sees when the database is briefly down (bench/faults.py stops a real
PostgreSQL; here the failure is injected at the service, the page is the real one)."""

import pytest
from django.db import OperationalError
from django.test import Client

from grader import api


@pytest.fixture
def database_down(monkeypatch):
    def fail(**kwargs: object) -> None:
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    monkeypatch.setattr(api, "submission_create", fail)


def _submit_through_the_api(student):
    client = Client(raise_request_exception=False)
    client.force_login(student)
    return client.post(
        "/api/v1/submissions",
        {"exercise": "chain-rule", "answer": "x"},
        content_type="application/json",
    )


def test_the_api_answers_503_json_when_the_database_is_down(
    course, student, database_down, settings
) -> None:
    settings.DEBUG = False
    response = _submit_through_the_api(student)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved" in response.json()["error"]


def test_other_failures_stay_a_plain_500(course, student, monkeypatch, settings) -> None:
    settings.DEBUG = False

    def bug(**kwargs: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(api, "submission_create", bug)
    response = _submit_through_the_api(student)
    assert response.status_code == 500
    assert response.json() == {"error": "Something went wrong on our side; it has been logged."}


def test_the_exercise_form_shows_a_try_again_page_when_the_database_is_down(
    course,
    student,
    monkeypatch,
    settings,
) -> None:
    from grader import student_views as views

    def fail(**kwargs: object) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "submission_create", fail)
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(student)
    response = client.post("/exercises/chain-rule/", {"answer": "2x cos(x^2)"})
    assert response.status_code == 503
    assert "Nothing was saved" in response.content.decode()
