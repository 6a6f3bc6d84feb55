"""One submit, one attempt: an answer sent again with the same idempotency key (a
double click, a resent form, a retried API request) returns the attempt already stored
and stores nothing new."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from grader.intake import AnswerRejected
from grader.models import Submission
from grader.services import submission_create

KEY = "4f1c2a9be0d34c7a8e5b6f7a8b9c0d1e"


@pytest.fixture
def client(student) -> Client:
    client = Client()
    client.force_login(student)
    return client


def test_the_page_sends_a_fresh_key_with_each_form(course, client) -> None:
    first = client.get("/exercises/chain-rule/").content.decode()
    second = client.get("/exercises/chain-rule/").content.decode()
    keys = [
        re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
        for page in (first, second)
    ]
    assert keys[0] != keys[1]


def test_the_same_form_posted_twice_stores_one_attempt(course, client) -> None:
    form = {"answer": "2x cos(x^2)", "idempotency_key": KEY}
    first = client.post("/exercises/chain-rule/", form)
    second = client.post("/exercises/chain-rule/", form)
    submission = Submission.objects.get()
    assert submission.idempotency_key == KEY and submission.attempt == 1
    assert (
        first["Location"]
        == second["Location"]
        == (f"/exercises/chain-rule/?submission={submission.pk}#result")
    )


def test_an_htmx_double_submit_shows_the_same_card(course, client, settings) -> None:
    settings.GRADER_SUBMIT_WAIT_SECONDS = 0
    form = {"answer": "2x cos(x^2)", "idempotency_key": KEY}
    cards = [
        client.post("/exercises/chain-rule/", form, HTTP_HX_REQUEST="true").content.decode()
        for _ in range(2)
    ]
    submission = Submission.objects.get()
    for card in cards:
        assert f'data-pk="{submission.pk}"' in card and "Attempt 1:" in card


def test_a_new_key_is_a_new_attempt(course, client) -> None:
    client.post("/exercises/chain-rule/", {"answer": "2x cos(x^2)", "idempotency_key": KEY})
    client.post("/exercises/chain-rule/", {"answer": "cos(x^2)", "idempotency_key": KEY[::-1]})
    assert sorted(Submission.objects.values_list("attempt", flat=True)) == [1, 2]


def test_a_replayed_key_is_answered_even_when_the_limits_would_refuse_a_new_one(
    course, student
) -> None:
    exercise = course["chain-rule"]
    exercise.attempt_limit = 1
    exercise.save()
    first = submission_create(student=student, exercise=exercise, answer="x", idempotency_key=KEY)
    again = submission_create(student=student, exercise=exercise, answer="x", idempotency_key=KEY)
    assert again.pk == first.pk
    with pytest.raises(AnswerRejected, match="used all 1 attempts"):
        submission_create(student=student, exercise=exercise, answer="x")


def test_the_api_takes_an_idempotency_key_header(course, client) -> None:
    def post():
        return client.post(
            "/api/v1/submissions",
            {"exercise": "chain-rule", "answer": "2x cos(x^2)"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    first, second = post(), post()
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert Submission.objects.count() == 1


def test_a_key_reused_for_another_exercise_or_malformed_is_refused(course, client) -> None:
    client.post("/exercises/chain-rule/", {"answer": "2x cos(x^2)", "idempotency_key": KEY})
    other = client.post(
        "/api/v1/submissions",
        {"exercise": "nested-chain-rule", "answer": "x"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert other.status_code == 422 and "another exercise" in other.json()["error"]
    bad = client.post(
        "/api/v1/submissions",
        {"exercise": "chain-rule", "answer": "x"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="no spaces allowed",
    )
    assert bad.status_code == 400 and "idempotency key" in bad.json()["error"]
    assert Submission.objects.count() == 1
