"""Sandbox tests need no database and no Django: they drive grader.sandbox directly."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
import torch

from grader.sandbox import Job, SandboxResult, run

POINTS = [0.3, -1.2, 0.0, 2.5]


def expected_chain_rule(points: list[float]) -> list[float]:
    """d/dx sin(x^2) by torch autograd: what the trusted side compares against."""
    x = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    torch.sin(x**2).sum().backward()
    assert x.grad is not None
    return [float(v) for v in x.grad.tolist()]


def assert_next_job_graded(points: list[float] = POINTS) -> SandboxResult:
    """The sandbox still works and grades correctly after whatever the last job did."""
    result = run(Job(protocol="formula", answer="2*x*cos(x^2)", inputs={"points": points}))
    assert result.status == "ok", result
    want = expected_chain_rule(points)
    assert len(result.outputs["values"]) == len(want)
    for got, exp in zip(result.outputs["values"], want, strict=True):
        assert isinstance(got, float) and math.isclose(got, exp, rel_tol=0, abs_tol=1e-12)
    return result


@pytest.fixture
def next_job_graded() -> Iterator[None]:
    yield
    assert_next_job_graded()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """No silent skips: without bubblewrap the sandbox tests fail, saying why."""
    import shutil

    if shutil.which("bwrap") is None and any("tests/sandbox" in str(i.fspath) for i in items):
        raise pytest.UsageError(
            "bubblewrap (bwrap) is not installed: the sandbox tests need it "
            "(`apt-get install bubblewrap`, which `make` does)"
        )
