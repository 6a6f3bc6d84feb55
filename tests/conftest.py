"""Shared fixtures: the course, users, a real Celery worker process, a browser."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection

from accounts.roles import instructor_group
from exercises.models import Exercise
from exercises.services import course_load
from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parent.parent
# One Redis database per xdist process (gw0 → 15, gw1 → 14, …): a worker started by one
# test process grades into that process's test database, so it must never receive
# another process's messages. TEST_REDIS_DB_BASE moves the range, so two checkouts can
# run their suites at once on one Redis.
_XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_REDIS_DB_BASE = int(os.environ.get("TEST_REDIS_DB_BASE", "15"))
TEST_BROKER_URL = os.environ.get(
    "TEST_CELERY_BROKER_URL", f"redis://127.0.0.1:6379/{_REDIS_DB_BASE - _XDIST_INDEX % 8}"
)
# Celery reads CELERY_BROKER_URL from the environment before its own configuration, so
# this points everything this test process enqueues at its own broker database.
os.environ["CELERY_BROKER_URL"] = TEST_BROKER_URL
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright + live_server


@pytest.fixture
def course(db: None) -> dict[str, Exercise]:
    course_load()
    return {e.slug: e for e in Exercise.objects.all()}


@pytest.fixture
def student(db: None) -> User:
    return User.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def other_student(db: None) -> User:
    return User.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def instructor(db: None) -> User:
    user = User.objects.create_user("ines", password="ines-password-1")
    user.groups.add(instructor_group())
    return user


@pytest.fixture
def staff_user(db: None) -> User:
    return User.objects.create_user(
        "sam", password="sam-password-1", is_staff=True, is_superuser=True
    )


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _flush_broker() -> None:
    import redis

    redis.Redis.from_url(TEST_BROKER_URL).flushdb()


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on a real Redis, grading into the test database.

    Tests that use it need committed rows (transactional_db / live_server) and run in
    one xdist group, so there is one worker and one broker database for them."""

    with django_db_blocker.unblock():
        database_url = _database_url()
    _flush_broker()
    log = open(ROOT / "var" / f"test-worker-{os.getpid()}.log", "wb")  # noqa: SIM115
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": TEST_BROKER_URL,
        # Persistent, as in production (the worker is stopped before the test database is
        # dropped): test_worker_integration checks that answers share one connection.
        "DB_CONN_MAX_AGE": "60",
        "GRADER_SWEEP_EVERY_SECONDS": "2",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "autograd_course",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log_name = f"var/test-worker-{os.getpid()}.log"

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited with {proc.returncode}; see {log_name}")
        return b"ready." in (ROOT / log_name).read_bytes()

    try:
        wait_until(ready, 60, f"the celery worker to start (see {log_name})", interval=0.2)
    except BaseException:
        proc.kill()
        raise
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def broker_app() -> Any:
    """The Celery app, on this test process's broker database (see TEST_BROKER_URL)."""
    from autograd_course.celery import app

    assert app.conf.broker_url == TEST_BROKER_URL
    return app


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium, never a downloaded browser; flags keep it off the network.
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def pytest_configure(config: pytest.Config) -> None:
    (ROOT / "var").mkdir(exist_ok=True)
    assert settings.CELERY_TASK_ALWAYS_EAGER is False


@pytest.fixture
def subscribed_listener(settings: Any) -> Any:
    """This process's result listener (grader/notify.py) on the test Redis, subscribed."""
    from grader import notify

    settings.GRADER_NOTIFY_REDIS_URL = TEST_BROKER_URL
    listener = notify.listener()
    assert listener is not None
    wait_until(lambda: listener.subscribed, 5, "the listener to subscribe", interval=0.02)
    return listener
