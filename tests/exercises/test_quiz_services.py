"""Quiz attempts: window, time limit, attempt limit, submission races, score policy, and
the grading pipeline they share with exercise answers (queued on submit, graded by the
worker's service with a compare-and-set claim, retried, swept)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from grader.deadlines import QUIZ_GRACE
from grader.quiz_attempts import (
    QuizRefused,
    quiz_attempt_close_if_expired,
    quiz_attempt_grade,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_attempts_sweep,
)
from grader.quiz_grading import reference_quiz_answers
from grader.quiz_selectors import quiz_standing

SLUG = "autograd-quiz"


@pytest.fixture
def quiz(course) -> Quiz:
    quiz = Quiz.objects.get(slug=SLUG)
    quiz.opens_at = timezone.now() - timedelta(days=1)
    quiz.closes_at = timezone.now() + timedelta(days=1)
    quiz.save()
    return quiz


def _right_answers(attempt: QuizAttempt) -> dict:
    spec = load_quiz_spec(SLUG)
    return reference_quiz_answers(spec, spec.params(attempt.seed))


def _graded(attempt: QuizAttempt) -> QuizAttempt:
    """What the worker's task does with a submitted attempt."""
    graded = quiz_attempt_grade(attempt_id=attempt.pk)
    assert graded is not None
    return graded


def _submit_and_grade(attempt: QuizAttempt, answers: dict, **kwargs) -> QuizAttempt:
    return _graded(quiz_attempt_submit(attempt=attempt, answers=answers, **kwargs))


def test_loadcourse_stores_the_quiz_without_its_answers(quiz) -> None:
    assert quiz.max_score == 20 and len(quiz.questions) == 12
    assert quiz.time_limit_seconds == 20 * 60 and quiz.attempt_limit == 3
    stored = repr(quiz.questions)
    for key in ("correct", "answer_param", "solution", "wrong", "feedback"):
        assert f"'{key}'" not in stored


def test_an_attempt_gets_a_deadline_from_the_time_limit(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    assert attempt.number == 1 and attempt.status == "in_progress"
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=20)


def test_the_deadline_never_passes_the_close_of_the_window(quiz, student) -> None:
    quiz.closes_at = timezone.now() + timedelta(minutes=5)
    quiz.save()
    assert quiz_attempt_start(student=student, quiz=quiz).deadline_at == quiz.closes_at


def test_starting_again_resumes_the_attempt_in_progress(quiz, student) -> None:
    first = quiz_attempt_start(student=student, quiz=quiz)
    assert quiz_attempt_start(student=student, quiz=quiz).pk == first.pk
    assert QuizAttempt.objects.count() == 1


@pytest.mark.parametrize("opens,closes", [(1, 2), (-2, -1)])
def test_it_refuses_to_start_outside_the_window(quiz, student, opens, closes) -> None:
    quiz.opens_at = timezone.now() + timedelta(days=opens)
    quiz.closes_at = timezone.now() + timedelta(days=closes)
    quiz.save()
    with pytest.raises(QuizRefused, match="not open"):
        quiz_attempt_start(student=student, quiz=quiz)


def test_it_refuses_an_attempt_beyond_the_limit(quiz, student) -> None:
    for _ in range(3):
        quiz_attempt_submit(attempt=quiz_attempt_start(student=student, quiz=quiz), answers={})
    with pytest.raises(QuizRefused, match="used all 3 attempts"):
        quiz_attempt_start(student=student, quiz=quiz)


def test_each_attempt_and_each_student_get_their_own_numbers(quiz, student, other_student) -> None:
    spec = load_quiz_spec(SLUG)
    a1 = quiz_attempt_start(student=student, quiz=quiz)
    quiz_attempt_submit(attempt=a1, answers={})
    a2 = quiz_attempt_start(student=student, quiz=quiz)
    b1 = quiz_attempt_start(student=other_student, quiz=quiz)
    assert len({a1.seed, a2.seed, b1.seed}) == 3
    assert spec.params(a1.seed) == spec.params(a1.seed)  # a regrade sees the same variant


def test_submitting_queues_the_attempt_for_a_worker_and_grades_nothing(
    quiz, student, django_capture_on_commit_callbacks
) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    with django_capture_on_commit_callbacks() as enqueues:
        queued = quiz_attempt_submit(attempt=attempt, answers=_right_answers(attempt))
    assert queued.status == "submitted" and queued.score is None and queued.results == {}
    assert queued.enqueued_at is not None and len(enqueues) == 1


def test_the_worker_grades_a_submitted_attempt_once(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    quiz_attempt_submit(attempt=attempt, answers=_right_answers(attempt))
    graded = _graded(attempt)
    assert graded.grade_attempts == 1 and graded.graded_at is not None
    assert quiz_attempt_grade(attempt_id=attempt.pk) is None  # a second delivery: no claim
    graded.refresh_from_db()
    assert graded.grade_attempts == 1


def test_a_grading_failure_is_retried_then_ends_in_error_with_a_message(
    quiz, student, settings, monkeypatch
) -> None:
    from grader import quiz_grading

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the sandbox is down")

    monkeypatch.setattr(quiz_grading, "grade_quiz", broken)
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    quiz_attempt_submit(attempt=attempt, answers=_right_answers(attempt))
    for _ in range(settings.GRADER_MAX_ATTEMPTS - 1):
        assert _graded(attempt).status == "submitted"  # back in the queue, to be retried
    failed = _graded(attempt)
    assert failed.status == "error" and "Your answers are saved" in failed.error_message


def test_the_sweep_closes_abandoned_attempts_and_requeues_stuck_ones(quiz, student) -> None:
    abandoned = quiz_attempt_start(student=student, quiz=quiz)
    QuizAttempt.objects.filter(pk=abandoned.pk).update(deadline_at=timezone.now() - QUIZ_GRACE * 2)
    assert quiz_attempts_sweep() == [abandoned.pk]
    abandoned.refresh_from_db()
    assert abandoned.status == "submitted" and abandoned.timed_out
    QuizAttempt.objects.filter(pk=abandoned.pk).update(
        status="running", grading_started_at=timezone.now() - timedelta(hours=1)
    )
    assert quiz_attempts_sweep() == [abandoned.pk]  # its worker died: queued again
    assert _graded(abandoned).score == 0


def test_a_second_submit_is_refused(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    graded = _submit_and_grade(attempt, _right_answers(attempt))
    assert graded.status == "graded" and graded.score == 20 and graded.max_score == 20
    assert graded.results["output"] == "12 of 12 questions right."
    with pytest.raises(QuizRefused, match="already been submitted"):
        quiz_attempt_submit(attempt=attempt, answers={})
    graded.refresh_from_db()
    assert graded.score == 20


def test_answers_after_the_deadline_and_grace_are_not_counted(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    assert attempt.deadline_at is not None
    late = attempt.deadline_at + QUIZ_GRACE + timedelta(seconds=1)
    graded = _submit_and_grade(attempt, _right_answers(attempt), at=late)
    assert graded.timed_out and graded.score == 0 and graded.answers == {}


def test_answers_within_the_grace_count(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    assert attempt.deadline_at is not None
    just_late = attempt.deadline_at + QUIZ_GRACE - timedelta(seconds=1)
    graded = _submit_and_grade(attempt, _right_answers(attempt), at=just_late)
    assert not graded.timed_out and graded.score == 20


def test_an_abandoned_attempt_is_closed_when_its_time_is_up(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    assert quiz_attempt_close_if_expired(attempt=attempt).is_open
    assert attempt.deadline_at is not None
    closed = quiz_attempt_close_if_expired(attempt=attempt, at=attempt.deadline_at + QUIZ_GRACE * 2)
    assert closed.status == "submitted" and closed.timed_out
    assert _graded(closed).score == 0
    # ...and it counts as an attempt: the next start is attempt 2.
    assert quiz_attempt_start(student=student, quiz=quiz).number == 2


@pytest.mark.parametrize("policy,kept", [("best", 20.0), ("latest", 0.0)])
def test_the_score_kept_follows_the_policy(quiz, student, policy, kept) -> None:
    quiz.score_policy = policy
    quiz.save()
    first = quiz_attempt_start(student=student, quiz=quiz)
    _submit_and_grade(first, _right_answers(first))
    _submit_and_grade(quiz_attempt_start(student=student, quiz=quiz), {})
    standing = quiz_standing(student=student, quiz=quiz)
    assert standing.kept is not None and standing.kept.score == kept
    assert standing.attempts_left == 1


def test_unknown_questions_and_nul_bytes_are_dropped(quiz, student) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    graded = _submit_and_grade(
        attempt, {"nope": "x", "chain-log": "2x/(1+x^2)\x00", "why-autograd": ""}
    )
    assert graded.answers == {"chain-log": "2x/(1+x^2)"}
    assert graded.score == 2
