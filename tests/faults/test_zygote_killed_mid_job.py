"""kill -9 of the sandbox zygote during a job: a new zygote runs the job, graded once."""

from __future__ import annotations

import os
import signal

import pytest

from .conftest import Api
from .test_worker_killed_mid_job import SLOW_RIGHT, _wait_in_sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_an_answer_whose_zygote_is_killed_is_run_again_and_graded_once(
    fault_stack, api: Api
) -> None:
    stack = fault_stack
    slow = api.submit("fix-runtime-error", SLOW_RIGHT)
    busy = _wait_in_sandbox(stack, slow)
    assert busy, "no worker in a job"
    zygote = stack.zygotes()[busy[0]]
    child = stack.worker_pool_child(busy[0])
    os.kill(zygote, signal.SIGKILL)
    result = api.wait_final(slow, timeout=60)
    assert (result["status"], result["score"]) == ("graded", 10)
    # The sandbox client replaced the zygote and ran the job again inside the same
    # claim: one claim, one final write, and the worker process was not replaced.
    claims = stack.sql(
        "select count(*) from bench_status_log where submission_id = %s and new_status = 'running'",
        [slow],
    )[0][0]
    assert claims == 1
    assert stack.outcome([slow]).duplicates == []
    assert stack.worker_pool_child(busy[0]) == child
    assert stack.zygotes()[busy[0]] != zygote
