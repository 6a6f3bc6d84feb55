"""Every way a formula comes in answers a formula too long or too deep with a 4xx and
a reason, never a 500: the exercise form, the API (and the quiz preview, in
tests/exercises/test_quiz_pages.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from grader.models import Submission

HOSTILE = [
    ("x" * 500, "nested too deeply"),
    ("(" * 300 + "x" + ")" * 300, "too long"),
    ("x^" * 400 + "x", "too long"),
    ("-" * 2000 + "x", "too long"),
]


@pytest.fixture
def client(student: Any) -> Client:
    client = Client()
    client.force_login(student)
    return client


@pytest.mark.parametrize(("text", "said"), HOSTILE)
def test_the_exercise_form_refuses_an_unreadable_formula_with_a_400(
    course: Any, client: Client, text: str, said: str
) -> None:
    response = client.post("/exercises/chain-rule/", {"answer": text})
    assert response.status_code == 400
    assert "Could not read the formula" in response.content.decode()
    assert said in response.content.decode()
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(("text", "said"), HOSTILE)
def test_the_api_refuses_an_unreadable_formula_with_a_400(
    course: Any, client: Client, text: str, said: str
) -> None:
    response = client.post(
        "/api/v1/submissions",
        json.dumps({"exercise": "chain-rule", "answer": text}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Could not read the formula")
    assert said in response.json()["error"]
    assert Submission.objects.count() == 0
