"""An answer that fills the job directory's tmpfs: it is graded, told what happened,
and the next answers on the same worker are graded normally."""

from __future__ import annotations

import pytest

from tests.support.answers import FILLER

from .conftest import Api

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_an_answer_that_fills_the_job_disk_does_not_hurt_the_next_ones(
    fault_stack, api: Api
) -> None:
    stack = fault_stack
    fillers = [api.submit("fix-runtime-error", FILLER) for _ in range(stack.n_workers)]
    after = [api.submit("chain-rule", "2*x*cos(x**2)") for _ in range(4)]
    for sub_id in fillers:
        assert api.wait_final(sub_id)["status"] == "graded"
    stdout = stack.sql("select sandbox_stdout from grader_submission where id in (%s, %s)", fillers)
    assert all("No space left on device" in out for (out,) in stdout), stdout
    assert [api.wait_final(sub_id)["score"] for sub_id in after] == [10] * 4
    assert stack.outcome([*fillers, *after]).duplicates == []
