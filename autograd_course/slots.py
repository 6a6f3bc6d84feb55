"""At most WEB_ACTIVE_REQUESTS requests compute at once in one web process; the others
wait their turn, and a request waiting for a result (a long poll) gives its turn up.

Why: gunicorn's threaded workers hold many requests at once (most of them long polls),
and Python runs one thread at a time. When dozens of threads are runnable they pass the
interpreter lock back and forth, and every hand-off costs CPU: with 32 clients asking at
once, an exercise page cost 7.7-8.5 ms of the server's CPU on 64 threads, 5.2-5.7 ms on 2
threads, and 5.8-8.3 ms on 64 threads with this limit (bench/web_threads.py; under the
full load the gain shows as page latency, not throughput: docs/performance.md, "Load").
The threads stay, for the waiting; only the computing is limited, so
a waiting request never blocks a running one.

``request_slot`` is held by ActiveRequestLimitMiddleware for the whole of a request;
``slot_released`` gives it up around a blocking wait (grader.notify) and takes it back
afterwards. A thread that does not hold a slot (Celery, management commands, tests
that call services directly) passes through both unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

_semaphores: dict[int, threading.BoundedSemaphore] = {}  # by size: a changed setting
_semaphores_lock = threading.Lock()
_local = threading.local()  # .slot: the semaphore this thread holds a slot of, or None


def _slots() -> threading.BoundedSemaphore:
    size = max(1, settings.WEB_ACTIVE_REQUESTS)
    found = _semaphores.get(size)
    if found is None:
        with _semaphores_lock:
            found = _semaphores.setdefault(size, threading.BoundedSemaphore(size))
    return found


@contextmanager
def request_slot() -> Iterator[None]:
    """Hold one of the process's slots (waiting for one if need be)."""
    if getattr(_local, "slot", None) is not None:  # re-entrant: a request from a request
        yield
        return
    slot = _slots()
    slot.acquire()
    _local.slot = slot
    try:
        yield
    finally:
        _local.slot = None
        slot.release()


@contextmanager
def slot_released() -> Iterator[None]:
    """Give this thread's slot up while it blocks (a long poll), then take it back."""
    slot = getattr(_local, "slot", None)
    if slot is None:
        yield
        return
    _local.slot = None
    slot.release()
    try:
        yield
    finally:
        slot.acquire()
        _local.slot = slot


class ActiveRequestLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Read the whole body before taking a turn (Django reads it lazily, inside the
        # view): a client sending its body slowly then holds up only its own thread,
        # not the process. Bodies are bounded (DATA_UPLOAD_MAX_MEMORY_SIZE).
        with suppress(RequestDataTooBig):  # the view reports it as usual
            request.body  # noqa: B018
        with request_slot():
            return self.get_response(request)
