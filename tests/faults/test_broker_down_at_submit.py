"""Redis down when a student submits: 202, the row waits as queued, graded once it is back."""

from __future__ import annotations

import time

import pytest

from .conftest import Api

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_answers_submitted_while_the_broker_is_down_are_graded_after_it_returns(
    fault_stack, api: Api
) -> None:
    stack = fault_stack
    stack.redis_stop()
    try:
        started = time.monotonic()
        ids = [api.submit("chain-rule", answer) for answer in ("2*x*cos(x**2)", "cos(x**2)")]
        took = time.monotonic() - started
        rows = stack.sql("select status from grader_submission where id in (%s, %s)", ids)
        assert [status for (status,) in rows] == ["queued", "queued"]
    finally:
        stack.redis_start()
    assert took < 20, f"submitting with the broker down took {took:.1f} s"
    results = [api.wait_final(sub_id, timeout=60) for sub_id in ids]
    assert [(r["status"], r["score"]) for r in results] == [("graded", 10), ("graded", 0)]
    outcome = stack.outcome(ids)
    assert outcome.lost == [] and outcome.duplicates == []
