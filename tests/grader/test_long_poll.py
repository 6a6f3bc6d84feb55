"""Long polls: the API's `?wait=` and the result card hold the request until the answer
is final, woken by Redis pub/sub (or by re-reading the row without Redis)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from grader import notify
from grader.models import Submission
from grader.selectors import wait_seconds
from grader.services import submission_grade


def _queued(student, exercise) -> Submission:  # type: ignore[no-untyped-def]
    return Submission.objects.create(
        student=student, exercise=exercise, answer="2x cos(x^2)", max_score=10, seed=1, attempt=1
    )


GRADED_AT: dict[int, float] = {}


def _grade_later(submission_id: int, delay: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
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
    notify_url: str,  # type: ignore[no-untyped-def]
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
def test_redis_wakes_the_waiter_well_before_its_next_re_read(course, student, settings) -> None:  # type: ignore[no-untyped-def]
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


def test_a_long_poll_that_times_out_returns_the_current_state(course, student) -> None:  # type: ignore[no-untyped-def]
    sub = _queued(student, course["chain-rule"])
    client = Client()
    client.force_login(student)
    started = time.monotonic()
    data = client.get(f"/api/v1/submissions/{sub.pk}?wait=0.4").json()
    assert data["status"] == "queued"
    assert time.monotonic() - started >= 0.4


def test_nobody_waits_on_someone_elses_submission(course, student, other_student) -> None:  # type: ignore[no-untyped-def]
    sub = _queued(other_student, course["chain-rule"])
    client = Client()
    client.force_login(student)
    started = time.monotonic()
    assert client.get(f"/api/v1/submissions/{sub.pk}?wait=15").status_code == 404
    assert client.get(f"/submissions/{sub.pk}/result?wait=15").status_code == 404
    assert time.monotonic() - started < 2.0


def test_announcing_without_redis_or_with_redis_down_does_not_raise(settings) -> None:  # type: ignore[no-untyped-def]
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
