"""Quiz drafts: what the student types is saved as they type and comes back with the
page; a closed attempt takes no draft; only a submit makes the answers count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt

SLUG = "autograd-quiz"
DRAFT = f"/quizzes/{SLUG}/attempts/1/draft"


@pytest.fixture
def client(course, student) -> Client:
    quiz = Quiz.objects.get(slug=SLUG)
    quiz.opens_at = timezone.now() - timedelta(hours=1)
    quiz.save()
    client = Client()
    client.force_login(student)
    client.post(f"/quizzes/{SLUG}/start")
    return client


def test_a_draft_is_saved_and_the_page_opens_with_it(client) -> None:
    response = client.post(
        DRAFT, {"q_power-slope": "3.5", "q_chain-log": "2x/(1+x^2", "q_why-autograd": "nested"}
    )
    assert response.status_code == 200 and "saved_at_text" in response.json()
    attempt = QuizAttempt.objects.get()
    # Kept as typed, unreadable formula included: it is the student's to fix.
    assert attempt.draft_answers == {
        "power-slope": "3.5",
        "chain-log": "2x/(1+x^2",
        "why-autograd": "nested",
    }
    assert attempt.answers == {} and attempt.status == QuizAttempt.Status.IN_PROGRESS
    page = client.get(f"/quizzes/{SLUG}/attempts/1/").content.decode()
    assert 'value="3.5"' in page and 'value="2x/(1+x^2"' in page
    assert re.search(r'<input type="radio" name="q_why-autograd" value="nested"[^>]*checked', page)
    assert not re.search(r'value="numeric"[^>]*checked', page)
    assert "Cannot read this yet" in page  # the draft's formula comes with its preview
    assert "Draft saved at" in page


def test_a_submitted_attempt_takes_no_draft(client) -> None:
    client.post(f"/quizzes/{SLUG}/attempts/1/", {"q_power-slope": "1"})
    response = client.post(DRAFT, {"q_power-slope": "2"})
    assert response.status_code == 409 and "closed" in response.json()["error"]
    assert QuizAttempt.objects.get().draft_answers == {}


def test_someone_elses_attempt_is_not_found(client, other_student) -> None:
    other = Client()
    other.force_login(other_student)
    assert other.post(DRAFT, {"q_power-slope": "2"}).status_code == 404
