"""Long polls: the API's `?wait=` and the result card hold the request until the answer
is final, woken by Redis pub/sub (or by re-reading the row without Redis)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client

from grader import notify
from grader.models import Submission
from grader.selectors import wait_seconds
from grader.services import submission_grade
from tests.support.wait import wait_until


def _queued(student, exercise) -> Submission:
    return Submission.objects.create(
        student=student, exercise=exercise, answer="2x cos(x^2)", max_score=10, seed=1, attempt=1
    )


GRADED_AT: dict[int, float] = {}


def _grade_later(submission_id: int, delay: float) -> threading.Thread:
    """A worker that grades the answer `delay` seconds from now: the tests time the
    waiter's wake-up against that moment."""

    def run() -> None:
        time.sleep(delay)  # the scenario: the answer is graded while the request waits
        try:
            submission_grade(submission_id=submission_id)
            GRADED_AT[submission_id] = time.monotonic()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "raw, seconds",
    [(None, 0.0), ("", 0.0), ("x", 0.0), ("nan", 0.0), ("-3", 0.0), ("2.5", 2.5), ("1e9", 20.0)],
)
def test_the_wait_parameter_is_clamped(raw: str | None, seconds: float) -> None:
    assert wait_seconds(raw) == seconds


@pytest.mark.parametrize("notify_url", ["redis", ""], ids=["redis-pubsub", "re-reading"])
@pytest.mark.django_db(transaction=True)
def test_a_long_poll_returns_as_soon_as_the_answer_is_graded(
    course,
    student,
    settings,
    notify_url: str,
) -> None:
    import os

    settings.GRADER_NOTIFY_REDIS_URL = os.environ["CELERY_BROKER_URL"] if notify_url else ""
    sub = _queued(student, course["chain-rule"])
    client = Client()
    client.force_login(student)
    grader = _grade_later(sub.pk, 0.6)
    started = time.monotonic()
    data = client.get(f"/api/v1/submissions/{sub.pk}?wait=15").json()
    waited = time.monotonic() - started
    grader.join()
    # One request, answered with the score once graded: not after the 15 s, not before.
    assert (data["status"], data["score"]) == ("graded", 10)
    assert 0.5 <= waited < 5.0


@pytest.mark.django_db(transaction=True)
def test_redis_wakes_the_waiter_well_before_its_next_re_read(course, student, settings) -> None:
    import os

    settings.GRADER_NOTIFY_REDIS_URL = os.environ["CELERY_BROKER_URL"]
    settings.GRADER_WAIT_REREAD_SECONDS = 10.0  # only the published message can wake it
    sub = _queued(student, course["chain-rule"])
    client = Client()
    client.force_login(student)
    grader = _grade_later(sub.pk, 0.5)
    started = time.monotonic()
    card = client.get(f"/submissions/{sub.pk}/result?poll=1&wait=15").content.decode()
    returned = time.monotonic()
    grader.join()
    assert "10 / 10" in card and "hx-get" not in card
    # Woken by the message right after the commit, not by a re-read 10 s after the start
    # (grading itself may take a second or two here if this process's sandbox is cold).
    assert returned - GRADED_AT[sub.pk] < 1.0 and returned - started < 9.0


def test_a_long_poll_that_times_out_returns_the_current_state(course, student) -> None:
    sub = _queued(student, course["chain-rule"])
    client = Client()
    client.force_login(student)
    started = time.monotonic()
    data = client.get(f"/api/v1/submissions/{sub.pk}?wait=0.4").json()
    assert data["status"] == "queued"
    assert time.monotonic() - started >= 0.4


def test_nobody_waits_on_someone_elses_submission(course, student, other_student) -> None:
    sub = _queued(other_student, course["chain-rule"])
    client = Client()
    client.force_login(student)
    started = time.monotonic()
    assert client.get(f"/api/v1/submissions/{sub.pk}?wait=15").status_code == 404
    assert client.get(f"/submissions/{sub.pk}/result?wait=15").status_code == 404
    assert time.monotonic() - started < 2.0


def test_announcing_without_redis_or_with_redis_down_does_not_raise(settings) -> None:
    settings.GRADER_NOTIFY_REDIS_URL = ""
    notify.announce_final(1)
    settings.GRADER_NOTIFY_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    notify.announce_final(1)
    # and a waiter falls back to re-reading the row
    assert notify.wait_until(1, lambda: "final", 1.0) == "final"
    calls: list[int] = []

    def never() -> str | None:
        calls.append(1)
        return None

    assert notify.wait_until(1, never, 0.3) is None
    assert len(calls) >= 2


def _graded_status_reader(submission_id: int) -> tuple[Callable[[], str | None], list[str]]:
    """A fetch for notify.wait_until that reads the row's status (recorded in the list
    it returns) and answers it once graded."""
    reads: list[str] = []

    def fetch() -> str | None:
        status = Submission.objects.get(pk=submission_id).status
        reads.append(status)
        return status if status == "graded" else None

    return fetch, reads


@pytest.mark.django_db(transaction=True)
def test_a_waiter_that_arrives_after_the_announcement_reads_once_and_returns(
    course,
    student,
    settings,
    subscribed_listener,
) -> None:
    """The process's listener remembers what was announced: a request that starts
    waiting just after the worker published (the common case for a fast answer) is not
    left until its next re-read, and reads the row once."""
    settings.GRADER_WAIT_REREAD_SECONDS = 10.0
    before = time.monotonic()
    sub = _queued(student, course["chain-rule"])
    _grade_later(sub.pk, 0).join()
    wait_until(
        lambda: str(sub.pk) in subscribed_listener.recent,
        5,
        "the listener to receive the announcement",
        interval=0.02,
    )
    fetch, reads = _graded_status_reader(sub.pk)
    started = time.monotonic()
    assert notify.wait_until(sub.pk, fetch, 15, pending_since=before) == "graded"
    assert time.monotonic() - started < 1.0
    assert len(reads) == 1


@pytest.mark.django_db(transaction=True)
def test_a_subscribed_waiter_skips_the_read_before_waiting_and_reads_once_woken(
    course,
    student,
    settings,
    subscribed_listener,
) -> None:
    settings.GRADER_WAIT_REREAD_SECONDS = 10.0
    before = time.monotonic()
    sub = _queued(student, course["chain-rule"])
    fetch, reads = _graded_status_reader(sub.pk)

    grader = _grade_later(sub.pk, 0.3)
    assert notify.wait_until(sub.pk, fetch, 15, pending_since=before) == "graded"
    grader.join()
    assert reads == ["graded"]


@pytest.mark.django_db(transaction=True)
def test_without_the_subscription_a_waiter_reads_first_then_polls(
    course,
    student,
    settings,
) -> None:
    """Redis unreachable: nothing can be announced, so the waiter reads at once (the
    answer may be final already) and then every GRADER_WAIT_POLL_SECONDS."""
    settings.GRADER_NOTIFY_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    sub = _queued(student, course["chain-rule"])
    fetch, reads = _graded_status_reader(sub.pk)
    grader = _grade_later(sub.pk, 0.5)
    assert notify.wait_until(sub.pk, fetch, 15, pending_since=time.monotonic()) == "graded"
    returned = time.monotonic()
    grader.join()
    # (grading itself may take a second or two if this process's sandbox is cold)
    assert returned - GRADED_AT[sub.pk] < 1.0
    assert reads[0] == "queued" and len(reads) >= 3


@pytest.mark.django_db(transaction=True)
def test_a_card_showing_queued_is_answered_as_soon_as_a_worker_claims_it(
    course, student, settings, subscribed_listener
) -> None:
    """The card says which state it shows (`seen`); the long poll ends at the next one,
    so the student sees "running" while the answer runs, not only the score."""
    from grader.services import _claim

    settings.GRADER_WAIT_REREAD_SECONDS = 10.0
    sub = _queued(student, course["chain-rule"])
    client = Client()
    client.force_login(student)

    def claim_later() -> None:
        time.sleep(0.3)
        try:
            _claim(sub.pk)
        finally:
            connection.close()

    claimer = threading.Thread(target=claim_later)
    started = time.monotonic()
    claimer.start()
    card = client.get(f"/submissions/{sub.pk}/result?poll=1&wait=15&seen=queued").content.decode()
    took = time.monotonic() - started
    claimer.join()
    assert 'data-status="running"' in card and "seen=running" in card
    assert took < 3.0  # woken by the claim's announcement, not the 10 s re-read
    # A card already showing "running" waits for the final state: the claim is not news.
    started = time.monotonic()
    card = client.get(f"/submissions/{sub.pk}/result?poll=2&wait=1&seen=running").content.decode()
    assert 'data-status="running"' in card and time.monotonic() - started >= 0.9


@pytest.mark.django_db(transaction=True)
def test_a_quiz_attempts_state_is_a_long_poll_woken_by_its_grading(
    course, student, settings
) -> None:
    """The quiz page asks for the attempt's state with `wait`, as the result card does:
    the request returns when the worker's result is committed, not at the next re-read."""
    import os
    from datetime import timedelta

    from django.utils import timezone

    from exercises.models import Quiz, QuizAttempt
    from grader.quiz_attempts import quiz_attempt_grade, quiz_attempt_start, quiz_attempt_submit

    settings.GRADER_NOTIFY_REDIS_URL = os.environ["CELERY_BROKER_URL"]
    settings.GRADER_WAIT_REREAD_SECONDS = 10.0  # only the published message can wake it
    quiz = Quiz.objects.get(slug="autograd-quiz")
    Quiz.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=1)
    )
    quiz.refresh_from_db()
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    quiz_attempt_submit(attempt=attempt, answers={"why-autograd": "nested"})
    graded_at: list[float] = []

    def worker() -> None:
        time.sleep(0.5)  # the scenario: the attempt is graded while the page waits
        try:
            quiz_attempt_grade(attempt_id=attempt.pk)
            graded_at.append(time.monotonic())
        finally:
            connection.close()

    client = Client()
    client.force_login(student)
    thread = threading.Thread(target=worker)
    thread.start()
    started = time.monotonic()
    state = client.get(f"/quizzes/autograd-quiz/attempts/{attempt.number}/state?wait=15")
    returned = time.monotonic()
    thread.join()
    assert QuizAttempt.objects.get(pk=attempt.pk).status == "graded"
    assert 'id="quiz-score"' in state.content.decode() and "hx-get" not in state.content.decode()
    assert returned - graded_at[0] < 1.0 and returned - started < 9.0
