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


def _grade_later(submission_id: int, delay: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        try:
            submission_grade(submission_id=submission_id)
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
    waited = time.monotonic() - started
    grader.join()
    assert "10 / 10" in card and "hx-get" not in card
    assert waited < 3.0


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
    assert notify.wait_until(1, lambda: True, 1.0) is True
    calls: list[int] = []

    def never() -> bool:
        calls.append(1)
        return False

    assert notify.wait_until(1, never, 0.3) is False
    assert len(calls) >= 2


@pytest.mark.django_db(transaction=True)
def test_a_submit_that_waits_gets_the_score_in_its_own_response(course, student, settings) -> None:  # type: ignore[no-untyped-def]
    """`POST ?wait=` (API) and the htmx form answer with the graded result when it is
    final in time: one request per answer. The grading runs in a thread here, as soon
    as the submission row exists (what the worker does on the enqueued message)."""
    import os

    settings.GRADER_NOTIFY_REDIS_URL = os.environ["CELERY_BROKER_URL"]
    client = Client()
    client.force_login(student)

    def grade_what_appears() -> None:
        try:
            deadline = time.monotonic() + 10
            seen: set[int] = set()
            while time.monotonic() < deadline and len(seen) < 2:
                for pk in Submission.objects.filter(status="queued").values_list("pk", flat=True):
                    submission_grade(submission_id=pk)
                    seen.add(pk)
                time.sleep(0.05)
        finally:
            connection.close()

    grader = threading.Thread(target=grade_what_appears)
    grader.start()
    response = client.post(
        "/api/v1/submissions?wait=10",
        {"exercise": "chain-rule", "answer": "cos(x^2)"},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["score"]) == ("graded", 0)
    assert data["misconception"]["name"] == "missing-inner-factor"

    settings.GRADER_SUBMIT_WAIT_SECONDS = 10.0
    card = client.post(
        "/exercises/chain-rule/", {"answer": "2x cos(x^2)"}, headers={"HX-Request": "true"}
    ).content.decode()
    grader.join()
    assert "10 / 10" in card and "hx-get" not in card  # final at once: nothing to poll
    assert card.count("<td>graded</td>") == 2  # and both attempts in the table


def test_a_submit_without_wait_is_accepted_at_once(course, student) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(student)
    response = client.post(
        "/api/v1/submissions",
        {"exercise": "chain-rule", "answer": "2x cos(x^2)"},
        content_type="application/json",
    )
    assert response.status_code == 202 and response.json()["status"] == "queued"
