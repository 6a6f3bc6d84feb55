"""Values crossing the sandbox boundary never crash the trusted side.

Whatever the student's function returns, or forges as its result document on fd 3, each
check it spoils scores 0 with a message that starts "Your function returned", and
grading itself never raises (in the worker that would be a retry and an alert)."""

from __future__ import annotations

import base64
import json

import pytest

from exercises.course import load_spec
from grader.grading import grade_answer
from grader.results import Outcome
from tests.support.values import encoded_tensor as _tensor

SLUG = "bce-manual-gradients"
CALL_IDS = ("batch-1", "batch-2", "batch-3")


def _grade(answer: str) -> Outcome:
    return grade_answer(load_spec(SLUG), answer=answer, seed=7, attempt=1)


def _returning(expression: str) -> str:
    return f"def grads(x, y, w, b):\n    return {expression}\n"


def _forging(value: object) -> str:
    """An answer that writes its own result document on the result channel (fd 3) and
    exits before the runner can write the real one."""
    document = {
        "status": "ok",
        "outputs": {"results": {call_id: {"value": value} for call_id in CALL_IDS}},
        "error": "",
    }
    # base64: the by-hand integrity check refuses the name requires_grad in the text.
    encoded = base64.b64encode(json.dumps(document).encode()).decode()
    return (
        "import base64, os\n"
        f"os.write(3, base64.b64decode({encoded!r}))\n"
        "os._exit(0)\n"
        "def grads(x, y, w, b):\n"
        "    return (0.0, 0.0)\n"
    )


def _nested(depth: int) -> object:
    value: object = 1.0
    for _ in range(depth):
        value = [value]
    return value


def _assert_refused(outcome: Outcome) -> None:
    assert outcome.score == 0
    tests = outcome.results["tests"]
    assert [t["status"] for t in tests] == ["failed"] * 3
    for test in tests:
        assert "your function returned" in test["output"].lower(), test["output"]


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("10**400", "integer too large to compare"),
        ("(10**400, 1.0)", "integer too large to compare"),
        (repr(_nested(40)), "nested more than"),
        ("{'dw': 1.0, 'db': 2.0}", "a dict"),
        ("'dw, db'", "a str"),
    ],
)
def test_a_value_that_cannot_be_compared_fails_its_checks_with_a_reason(
    expression: str, said: str
) -> None:
    outcome = _grade(_returning(expression))
    _assert_refused(outcome)
    assert said in outcome.results["tests"][0]["output"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (_tensor([0, 10**30], []), "a tensor of shape [0, 1000000000000000000000000000000]"),
        (_tensor([1], [2**70], "int64"), "outside its range"),
        (_tensor([1], [300], "int8"), "outside its range"),
        (_tensor([1], [-1], "uint8"), "outside its range"),
        (_tensor([1] * 100, _nested(100)), "rank 100"),
        (2**64, "integer too large to compare"),
    ],
)
def test_a_forged_result_with_an_out_of_bounds_value_fails_its_checks_with_a_reason(
    value: object, said: str
) -> None:
    outcome = _grade(_forging(value))
    _assert_refused(outcome)
    assert said in outcome.results["tests"][0]["output"]


def test_a_forged_result_that_breaks_the_protocol_is_an_invalid_result() -> None:
    # A missing tensor key is not a value the student's function could return.
    outcome = _grade(_forging({"__tensor__": True, "dtype": "float64"}))
    assert outcome.score == 0
    assert "invalid result" in outcome.results["output"]


def test_forged_values_in_range_still_compare_normally() -> None:
    outcome = _grade(_forging(json.loads("[0.0, 0.0]")))
    assert outcome.score == 0
    assert "got 0, expected" in outcome.results["tests"][0]["output"]  # compared, not refused
