"""A quiz's after-due-date questions say their feedback only once no attempt can still
be answered: a student who reads it must not be able to pass it to a classmate whose
attempt still takes answers.

An attempt takes answers until its own deadline plus the grace (deadlines.QUIZ_GRACE),
and an attempt started under an extension keeps its deadline when the extension is
taken back; the release must wait for both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt
from grader.models import DueExtension
from grader.quiz_attempts import quiz_attempt_submit
from grader.quiz_selectors import quiz_results_for_student

SECRET = "“It returns the gradient” is not right: backward() returns None (§3, §5)."


@pytest.fixture
def quiz(course) -> Quiz:
    quiz = Quiz.objects.get(slug="autograd-quiz")
    quiz.opens_at = timezone.now() - timedelta(days=2)
    quiz.closes_at = timezone.now() - timedelta(seconds=10)
    quiz.time_limit_seconds = 30 * 60
    quiz.save()
    return quiz


def _graded_with_after_due_feedback(quiz: Quiz, student) -> QuizAttempt:
    """An attempt graded before the quiz closed, whose one after-due-date question
    failed and says why (the feedback a classmate must not be told in time)."""
    now = timezone.now()
    test = {
        "name": "what-backward-does",
        "score": 0.0,
        "max_score": 1.0,
        "status": "failed",
        "output": SECRET,
        "visibility": "after_due_date",
        "question": "what-backward-does",
        "section": "3",
    }
    return QuizAttempt.objects.create(
        quiz=quiz,
        student=student,
        number=1,
        seed=1,
        status=QuizAttempt.Status.GRADED,
        started_at=now - timedelta(minutes=40),
        deadline_at=now - timedelta(minutes=10),
        submitted_at=now - timedelta(minutes=15),
        graded_at=now - timedelta(minutes=15),
        score=0.0,
        max_score=quiz.max_score,
        results={"score": 0.0, "max_score": 1.0, "output": "", "tests": [test], "extra": {}},
    )


def _open_attempt(quiz: Quiz, student, deadline) -> QuizAttempt:
    return QuizAttempt.objects.create(
        quiz=quiz,
        student=student,
        number=1,
        seed=2,
        started_at=deadline - timedelta(minutes=25),
        deadline_at=deadline,
        max_score=quiz.max_score,
    )


def _shown(attempt: QuizAttempt) -> bool:
    return any(t["output"] == SECRET for t in quiz_results_for_student(attempt)["tests"])


def test_after_due_feedback_stays_hidden_while_an_attempt_can_still_be_submitted_in_the_grace(
    quiz, student, other_student
) -> None:
    seen = _graded_with_after_due_feedback(quiz, other_student)
    # Closed for everyone 10 seconds ago; this attempt's deadline was the closing time.
    waiting = _open_attempt(quiz, student, deadline=quiz.closes_at)

    assert not _shown(seen)
    # The reason: the attempt still takes answers (the grace for a page's last submit).
    submitted = quiz_attempt_submit(attempt=waiting, answers={"what-backward-does": "reverse"})
    assert submitted.status == QuizAttempt.Status.SUBMITTED and not submitted.timed_out


def test_after_due_feedback_stays_hidden_while_an_attempt_begun_under_a_removed_extension_is_open(
    quiz, student, other_student
) -> None:
    seen = _graded_with_after_due_feedback(quiz, other_student)
    quiz.closes_at = timezone.now() - timedelta(hours=1)
    quiz.save(update_fields=["closes_at"])
    # Started under an extension that was then taken back: the attempt keeps its own
    # deadline (grader/extensions.py), ten minutes from now.
    waiting = _open_attempt(quiz, student, deadline=timezone.now() + timedelta(minutes=10))
    assert not DueExtension.objects.filter(student=student).exists()

    assert not _shown(seen)
    submitted = quiz_attempt_submit(attempt=waiting, answers={"what-backward-does": "reverse"})
    assert submitted.status == QuizAttempt.Status.SUBMITTED and not submitted.timed_out


def test_after_due_feedback_is_shown_once_no_attempt_can_take_answers(
    quiz, student, other_student
) -> None:
    seen = _graded_with_after_due_feedback(quiz, other_student)
    quiz.closes_at = timezone.now() - timedelta(hours=1)
    quiz.save(update_fields=["closes_at"])
    _open_attempt(quiz, student, deadline=timezone.now() - timedelta(minutes=5))
    assert _shown(seen)
