"""Sessions come from Redis (cached_db) and survive a Redis outage (cache misses)."""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def _cache(url: str) -> dict[str, dict[str, object]]:
    return {
        "default": {
            "BACKEND": "autograd_course.cache.TolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{os.getpid()}",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def cached_sessions(settings):
    settings.CACHES = _cache(os.environ["CELERY_BROKER_URL"])
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    return settings


def test_a_page_reads_the_session_from_redis_not_the_database(
    course, student, cached_sessions
) -> None:
    client = Client()
    client.force_login(student)
    client.get("/exercises/chain-rule/")  # the first read may fill the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/exercises/chain-rule/").status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)


def test_with_redis_down_students_stay_logged_in(course, student, cached_sessions) -> None:
    client = Client()
    client.force_login(student)
    cached_sessions.CACHES = _cache("redis://127.0.0.1:1/0")  # nothing listens there
    response = client.get("/exercises/chain-rule/")
    assert response.status_code == 200 and "The chain rule" in response.content.decode()
    client.logout()
    assert client.get("/exercises/chain-rule/").status_code == 302  # logged out for real
