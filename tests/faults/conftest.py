"""A private production-shaped stack for the fault tests (tests/support/stack.py).

Real processes on private services: PostgreSQL (initdb; SQLite when no PostgreSQL is
installed), a redis-server on a free port, gunicorn, two `celery worker --concurrency 1`
processes and beat. The shared Redis and PostgreSQL are never touched, so a test may
kill workers or stop this Redis while other suites run. The sweep runs every 2 s, for
submissions stuck 30 s."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.stack import Stack
from tests.support.wait import wait_until

# The sweep runs often but waits 30 s before it calls a row stuck: long enough that a
# test can tell a recovery by redelivery (seconds) from one by the sweep.
STUCK_AFTER_SECONDS = 30
FAULT_ENV = {
    "GRADER_SWEEP_EVERY_SECONDS": "2",
    "GRADER_STUCK_AFTER_SECONDS": str(STUCK_AFTER_SECONDS),
    # Writing the 512 MB that fill the job tmpfs takes ~0.5 s of CPU, more while the
    # other tests share the two cores: with the default 1 s the CPU limit could stop the
    # filler before the disk cap under test does.
    "GRADER_SANDBOX_CPU_SECONDS": "4",
}
PASSWORD = "fault-student-password-7"


class Api:
    """A student talking to the stack's JSON API with a token."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def call(
        self, path: str, data: dict[str, Any] | None = None, timeout: float = 30
    ) -> tuple[int, dict[str, Any]]:
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.url + path, data=body, method="POST" if body else "GET"
        )
        request.add_header("Authorization", f"Token {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def submit(self, exercise: str, answer: str) -> int:
        status, body = self.call("/api/v1/submissions", {"exercise": exercise, "answer": answer})
        assert status == 202, (status, body)
        return int(body["id"])

    def result(self, sub_id: int) -> dict[str, Any]:
        status, body = self.call(f"/api/v1/submissions/{sub_id}")
        assert status == 200, (status, body)
        return body

    def wait_final(self, sub_id: int, timeout: float = 60) -> dict[str, Any]:
        last: dict[str, Any] = {}

        def final() -> dict[str, Any] | None:
            last.update(self.result(sub_id))
            return dict(last) if last["status"] in ("graded", "error") else None

        return wait_until(
            final, timeout, lambda: f"submission {sub_id} to be final (last: {last})", interval=0.25
        )


@pytest.fixture(scope="session")
def fault_stack() -> Iterator[Stack]:
    db = os.environ.get("FAULTS_DB", "auto")  # "sqlite" to try the fallback
    with Stack(name="faults-test", db=db, web_workers=2, env=FAULT_ENV, quiet=True) as stack:
        stack.tokens = stack.students_create(12, prefix="faulty", password=PASSWORD)
        stack.next_student = 0
        yield stack


@pytest.fixture
def api(fault_stack: Stack) -> Api:
    """A fresh student per test, so the per-minute rate limit never carries over."""
    names = sorted(fault_stack.tokens)
    name = names[fault_stack.next_student]
    fault_stack.next_student += 1
    return Api(fault_stack.url, fault_stack.tokens[name])
