"""An answer that runs past the sandbox's wall limit: graded 0, told why, worker alive."""

from __future__ import annotations

import pytest

from tests.support.answers import LOOP

from .conftest import Api

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_a_looping_answer_gets_zero_with_a_time_limit_message(fault_stack, api: Api) -> None:
    stack = fault_stack
    children = {i: stack.worker_pool_child(i) for i in range(stack.n_workers)}
    looping = api.submit("fix-runtime-error", LOOP)
    result = api.wait_final(looping, timeout=60)
    assert (result["status"], result["score"]) == ("graded", 0)
    # A busy loop meets the CPU limit (GRADER_SANDBOX_CPU_SECONDS: 4 s in these tests) just
    # before the wall limit (5 s).
    assert "ran out of time" in result["output"] and "time limit exceeded" in result["output"]
    # No worker process was replaced, and they still grade.
    assert {i: stack.worker_pool_child(i) for i in range(stack.n_workers)} == children
    after = api.submit("chain-rule", "2*x*cos(x**2)")
    assert api.wait_final(after, timeout=30)["score"] == 10
    assert stack.outcome([looping, after]).duplicates == []
