from datetime import timedelta

import pytest
from django.utils import timezone

from grader.intake import AnswerRejected
from grader.models import Score, Submission
from grader.services import (
    submission_create,
    submission_grade,
    submissions_requeue_stuck,
)


def test_create_stores_a_queued_submission_and_enqueues_on_commit(
    course,
    student,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        sub = submission_create(
            student=student, exercise=course["chain-rule"], answer="2x cos(x^2)"
        )
    assert sub.status == Submission.Status.QUEUED
    assert sub.attempt == 1 and sub.max_score == 10
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("", "The answer is empty."),
        ("   ", "The answer is empty."),
        ("2*x*cos(x^2", "Could not read the formula"),
        ("2x\x00", "NUL byte"),
        ("x" * 70_000, "the limit is"),
        (12, "must be text"),
    ],
)
def test_bad_formula_answers_are_rejected_and_nothing_is_stored(
    course, student, answer, message
) -> None:
    with pytest.raises(AnswerRejected, match=message):
        submission_create(student=student, exercise=course["chain-rule"], answer=answer)
    assert Submission.objects.count() == 0


def test_code_with_a_syntax_error_is_rejected_with_the_line(course, student) -> None:
    with pytest.raises(AnswerRejected, match="SyntaxError on line 2"):
        submission_create(
            student=student,
            exercise=course["bce-manual-gradients"],
            answer="def grads(x):\n  return (\n",
        )
    assert Submission.objects.count() == 0


def test_grading_stores_the_score_checks_and_student_score(course, student) -> None:
    sub = submission_create(student=student, exercise=course["chain-rule"], answer="cos(x^2)")
    graded = submission_grade(submission_id=sub.pk)
    assert graded is not None
    sub.refresh_from_db()
    assert sub.status == "graded" and sub.score == 0
    assert sub.misconception == "missing-inner-factor"
    assert {t["name"] for t in sub.results["tests"]} == {
        "dz/dx at 4 points",
        "dz/dx at 4 more points",
    }
    assert set(sub.results["tests"][0]) >= {
        "name",
        "score",
        "max_score",
        "status",
        "output",
        "visibility",
    }
    assert sub.grader_version and sub.timings["sandbox_ms"] > 0
    right = submission_create(
        student=student, exercise=course["chain-rule"], answer="2*x*cos(x**2)"
    )
    submission_grade(submission_id=right.pk)
    score = Score.objects.get(student=student, exercise=course["chain-rule"])
    assert (score.best_score, score.latest_score, score.attempts) == (10, 10, 2)
    assert score.is_solved and score.best_submission_id == right.pk


def test_a_value_too_large_to_compare_ends_graded_with_the_reason_not_retried(
    course, student
) -> None:
    answer = "def grads(x, y, w, b):\n    return (10**400, 1.0)\n"
    sub = submission_create(student=student, exercise=course["bce-manual-gradients"], answer=answer)
    assert submission_grade(submission_id=sub.pk) is not None
    sub.refresh_from_db()
    assert (sub.status, sub.score, sub.grade_attempts, sub.error_message) == ("graded", 0, 1, "")
    visible = sub.results["tests"][0]
    assert visible["output"].startswith("Your function returned an integer too large to compare")
    assert Score.objects.get(student=student).attempts == 1


def test_grading_twice_is_safe(course, student) -> None:
    sub = submission_create(student=student, exercise=course["chain-rule"], answer="2x cos(x^2)")
    assert submission_grade(submission_id=sub.pk) is not None
    assert submission_grade(submission_id=sub.pk) is None  # already claimed and final
    sub.refresh_from_db()
    assert sub.grade_attempts == 1 and sub.score == 10


def test_grading_a_deleted_submission_returns_quietly(db) -> None:
    assert submission_grade(submission_id=987654) is None


def test_the_sweep_requeues_stuck_submissions_and_they_get_graded(course, student) -> None:
    sub = submission_create(student=student, exercise=course["chain-rule"], answer="2x cos(x^2)")
    # A worker claimed it and died: it stays `running`.
    Submission.objects.filter(pk=sub.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=5), grade_attempts=1
    )
    assert submissions_requeue_stuck() == [sub.pk]
    sub.refresh_from_db()
    assert sub.status == "queued"
    submission_grade(submission_id=sub.pk)
    sub.refresh_from_db()
    assert sub.status == "graded" and sub.score == 10


def test_the_sweep_gives_up_with_a_readable_error_after_max_attempts(
    course, student, settings
) -> None:
    sub = submission_create(student=student, exercise=course["chain-rule"], answer="2x cos(x^2)")
    Submission.objects.filter(pk=sub.pk).update(
        status="running",
        started_at=timezone.now() - timedelta(minutes=5),
        grade_attempts=settings.GRADER_MAX_ATTEMPTS,
    )
    assert submissions_requeue_stuck() == []
    sub.refresh_from_db()
    assert sub.status == "error" and "submit it again" in sub.error_message


def test_recent_submissions_are_not_swept(course, student) -> None:
    submission_create(student=student, exercise=course["chain-rule"], answer="2x cos(x^2)")
    assert submissions_requeue_stuck() == []


def test_rate_limit_gives_a_clear_429(course, student, settings) -> None:
    settings.GRADER_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        submission_create(student=student, exercise=course["chain-rule"], answer="x")
    with pytest.raises(AnswerRejected, match="wait a moment") as err:
        submission_create(student=student, exercise=course["chain-rule"], answer="x")
    assert err.value.status == 429


def test_attempt_limit_is_enforced(course, student) -> None:
    exercise = course["chain-rule"]
    exercise.attempt_limit = 1
    exercise.save()
    submission_create(student=student, exercise=exercise, answer="x")
    with pytest.raises(AnswerRejected, match="all 1 attempts"):
        submission_create(student=student, exercise=exercise, answer="x")


def test_late_submissions_get_the_penalty(course, student) -> None:
    exercise = course["chain-rule"]
    exercise.due_at = timezone.now() - timedelta(days=1)
    exercise.late_penalty = 0.25
    exercise.save()
    sub = submission_create(student=student, exercise=exercise, answer="2x cos(x^2)")
    submission_grade(submission_id=sub.pk)
    sub.refresh_from_db()
    assert sub.is_late and sub.score == 7.5


def test_a_full_queue_says_busy_and_stores_nothing(
    course, student, other_student, settings
) -> None:
    settings.GRADER_MAX_QUEUE_DEPTH = 2
    settings.GRADER_QUEUE_DEPTH_CACHE_SECONDS = 0  # count on every submit here
    submission_create(student=other_student, exercise=course["chain-rule"], answer="x")
    submission_create(student=other_student, exercise=course["chain-rule"], answer="x^2")
    with pytest.raises(AnswerRejected, match="busy right now; try again in a moment") as err:
        submission_create(student=student, exercise=course["chain-rule"], answer="2x cos(x^2)")
    assert err.value.status == 503
    assert Submission.objects.filter(student=student).count() == 0


def test_a_broker_outage_at_submit_keeps_the_answer_queued(
    course,
    student,
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:
    """The enqueue runs after commit; with the broker down the row stays `queued` (the
    sweep enqueues it later) and the student gets no error. tests/faults does this
    with a real broker that is really down."""
    from celery import current_app

    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(current_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sub = submission_create(
            student=student, exercise=course["chain-rule"], answer="2x cos(x^2)"
        )
    assert len(callbacks) == 1
    sub.refresh_from_db()
    assert sub.status == "queued"


def test_a_submission_that_ends_in_error_stops_counting_in_the_score(
    course, student, settings
) -> None:
    sub = submission_create(student=student, exercise=course["chain-rule"], answer="2x cos(x^2)")
    submission_grade(submission_id=sub.pk)
    assert Score.objects.get(student=student).best_score == 10
    # A regrade claimed it, and its worker kept dying until the attempts ran out.
    Submission.objects.filter(pk=sub.pk).update(
        status="running",
        started_at=timezone.now() - timedelta(minutes=5),
        grade_attempts=settings.GRADER_MAX_ATTEMPTS,
    )
    submissions_requeue_stuck()
    score = Score.objects.get(student=student)
    assert (score.best_score, score.best_submission_id) == (0, None)


def test_the_queue_depth_is_counted_at_most_once_a_second_per_process(
    course, student, settings
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grader import services

    settings.GRADER_QUEUE_DEPTH_CACHE_SECONDS = 60
    services._queue_depth_seen = (-1e9, 0)
    with CaptureQueriesContext(connection) as queries:
        for answer in ("x", "x^2", "x^3"):
            submission_create(student=student, exercise=course["chain-rule"], answer=answer)
    counts = [
        q for q in queries.captured_queries if "COUNT(*)" in q["sql"] and '"status" =' in q["sql"]
    ]
    assert len(counts) == 1
    assert Submission.objects.filter(student=student).count() == 3


def test_every_task_the_queue_sends_is_registered_with_the_app() -> None:
    """The queue sends tasks by name (no import loop): each name must be a real task."""
    from celery import current_app

    from grader import queue, tasks

    registered = {name for name in current_app.tasks if name.startswith("grader.")}
    assert tasks.grade_submission_task.name == queue.GRADE_SUBMISSION
    assert {queue.GRADE_SUBMISSION, queue.GRADE_QUIZ_ATTEMPT, queue.REGRADE_DISPATCH} <= registered
