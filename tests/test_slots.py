"""Few requests compute at once in a web process; a long poll gives its turn up
(autograd_course/slots.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from autograd_course.slots import request_slot
from grader import notify as grader_notify
from grader.models import Submission
from tests.support.wait import wait_until


def test_no_more_than_the_configured_number_of_requests_compute_at_once(settings: Any) -> None:
    settings.WEB_ACTIVE_REQUESTS = 2
    lock = threading.Lock()
    running, most = 0, 0

    def request() -> None:
        nonlocal running, most
        with request_slot():
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.1)  # the scenario: a request computing, long enough to overlap
            with lock:
                running -= 1

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


@pytest.mark.parametrize("notify", ["redis", "re-reading"])
@pytest.mark.django_db(transaction=True)
def test_a_waiting_long_poll_does_not_hold_up_other_requests(
    course: Any, student: Any, settings: Any, notify: str, request: Any, monkeypatch: Any
) -> None:
    if notify == "redis":
        request.getfixturevalue("subscribed_listener")
    else:
        settings.GRADER_NOTIFY_REDIS_URL = ""
    settings.WEB_ACTIVE_REQUESTS = 1  # one request computing at a time
    pending = Submission.objects.create(
        student=student, exercise=course["chain-rule"], answer="1", max_score=10, seed=1, attempt=1
    )
    poll_done: list[float] = []
    # The poll tells when it has given its turn up to wait (grader/notify.py).
    waiting = threading.Event()
    slot_released = grader_notify.slot_released

    @contextmanager
    def slot_released_and_told() -> Iterator[None]:
        with slot_released():
            waiting.set()
            yield

    monkeypatch.setattr(grader_notify, "slot_released", slot_released_and_told)

    def long_poll() -> None:
        client = Client()
        client.force_login(student)
        try:
            response = client.get(f"/api/v1/submissions/{pending.pk}?wait=3")
            assert response.json()["status"] == "queued"  # nobody grades it
            poll_done.append(time.monotonic())
        finally:
            connection.close()

    poller = threading.Thread(target=long_poll)
    poller.start()
    wait_until(waiting.is_set, 10, "the long poll to give its turn up and wait")
    page = Client()
    page.force_login(student)
    started = time.monotonic()
    response = page.get("/exercises/chain-rule/")
    page_done = time.monotonic()
    poller.join()
    assert response.status_code == 200
    # The page was served while the poll still waited, not after it.
    assert page_done - started < 2.0
    assert poll_done and poll_done[0] > page_done


def test_a_slowly_sent_body_does_not_hold_a_turn(settings: Any) -> None:
    """The body is read before the request takes its turn: a client that sends it slowly
    (or never) holds up its own thread, not the others."""
    from django.core.handlers.wsgi import WSGIRequest
    from django.http import HttpResponse
    from django.test import RequestFactory

    from autograd_course.slots import ActiveRequestLimitMiddleware

    settings.WEB_ACTIVE_REQUESTS = 1
    body_sent, reading = threading.Event(), threading.Event()

    class SlowBody:
        def read(self, size: int = -1) -> bytes:
            reading.set()
            body_sent.wait(10)
            return b"answer=1"[: size if size >= 0 else None]

        readline = read

    environ = RequestFactory().get("/").environ
    environ["REQUEST_METHOD"] = "POST"
    environ.update({"wsgi.input": SlowBody(), "CONTENT_LENGTH": "8"})
    environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    seen: list[str] = []
    middleware = ActiveRequestLimitMiddleware(
        lambda request: HttpResponse(request.POST.get("answer", ""))
    )
    slow = threading.Thread(
        target=lambda: seen.append(middleware(WSGIRequest(environ)).content.decode())
    )
    slow.start()
    wait_until(reading.is_set, 10, "the slow request to read its body")
    started = time.monotonic()
    with request_slot():  # another request takes the only turn at once
        waited = time.monotonic() - started
    body_sent.set()
    slow.join(10)
    assert waited < 0.5
    assert seen == ["1"]  # and the slow one still got its body
