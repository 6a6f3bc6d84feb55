"""End to end through a real Redis broker and a real `celery worker` process."""

import time

import pytest
from django.test import Client

from grader.models import Score

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker")]


def _wait_final(client: Client, sub_id: int, timeout: float = 90.0) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = client.get(f"/api/v1/submissions/{sub_id}").json()
        if data["status"] in ("graded", "error"):
            return data
        time.sleep(0.1)
    raise AssertionError(f"submission {sub_id} not graded within {timeout}s: {data}")


@pytest.mark.django_db(transaction=True)
def test_answers_submitted_through_the_api_are_graded_by_the_worker(
    course,
    student,
    celery_worker_process,
    broker_app,  # type: ignore[no-untyped-def]
) -> None:
    client = Client()
    client.force_login(student)
    cases = [
        ("chain-rule", "2*x*cos(x**2)", 10),
        ("chain-rule", "cos(x**2)", 0),
        ("fix-runtime-error", course["fix-runtime-error"].starter, 0),
    ]
    ids = []
    for slug, answer, _ in cases:
        response = client.post(
            "/api/v1/submissions",
            {"exercise": slug, "answer": answer},
            content_type="application/json",
        )
        assert response.status_code == 202
        ids.append(response.json()["id"])
    results = [_wait_final(client, sub_id) for sub_id in ids]
    assert [(r["status"], r["score"]) for r in results] == [("graded", s) for *_, s in cases]
    assert results[1]["misconception"]["name"] == "missing-inner-factor"
    assert "does not require grad" in results[2]["output"]
    chain = Score.objects.get(student=student, exercise=course["chain-rule"])
    assert (chain.best_score, chain.latest_score, chain.attempts) == (10, 0, 2)
