"""kill -9 of the process running a job: the answer is still graded, exactly once, and
without waiting for the sweep."""

from __future__ import annotations

import time

import pytest

from tests.support.wait import wait_until

from .conftest import STUCK_AFTER_SECONDS, Api

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]

RIGHT = "2*x*cos(x**2)"
# The reference solution of fix-runtime-error, made slow enough to be killed mid-job:
# the sleep keeps the job in the sandbox for the fault to hit it.
SLOW_RIGHT = """import time
time.sleep(4)
import torch

x = torch.tensor(x_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

y = (w * x**2 + b).sum()
y.backward()
"""


def _wait_in_sandbox(stack, sub_id: int, timeout: float = 30) -> list[int]:
    """Wait until the submission is claimed and its job runs in a zygote's child; returns
    the busy workers (stack.busy_workers)."""

    def running() -> bool:
        status = stack.sql("select status from grader_submission where id = %s", [sub_id])
        return bool(status[0][0] == "running")

    wait_until(running, timeout, f"submission {sub_id} to be running", interval=0.1)
    return wait_until(
        stack.busy_workers, timeout, f"the job of submission {sub_id} to run in a sandbox"
    )


def test_an_answer_whose_worker_is_killed_mid_job_is_graded_once(fault_stack, api: Api) -> None:
    stack = fault_stack
    warm = [api.submit("chain-rule", RIGHT) for _ in range(2)]
    for sub_id in warm:
        assert api.wait_final(sub_id)["score"] == 10
    slow = api.submit("fix-runtime-error", SLOW_RIGHT)
    busy = _wait_in_sandbox(stack, slow)
    assert len(busy) == 1, f"expected one worker in a job, found {busy}"
    killed = stack.kill_worker(busy[0])  # SIGKILL to the prefork child running the job
    killed_at = time.monotonic()
    assert killed
    # Submissions keep flowing while the worker recovers.
    during = [api.submit("chain-rule", RIGHT if i % 2 else "cos(x**2)") for i in range(4)]

    result = api.wait_final(slow, timeout=60)
    assert (result["status"], result["score"], result["max_score"]) == ("graded", 10, 10)
    # Taken back by the redelivered message (reject_on_worker_lost), not by the sweep,
    # which would not touch the row before it had been running for 30 s.
    assert time.monotonic() - killed_at < STUCK_AFTER_SECONDS
    for i, sub_id in enumerate(during):
        assert api.wait_final(sub_id, timeout=60)["score"] == (10 if i % 2 else 0)
    outcome = stack.outcome([*warm, slow, *during])
    assert outcome.lost == [] and outcome.duplicates == []
    claims = stack.sql(
        "select count(*) from bench_status_log where submission_id = %s and new_status = 'running'",
        [slow],
    )[0][0]
    assert claims == 2, "the killed job should have been claimed again, once"
    # The worker's main process survived and forked a new child.
    assert stack.procs[stack.worker_name(busy[0])].alive()
    assert stack.worker_pool_child(busy[0]) not in (None, *killed)
