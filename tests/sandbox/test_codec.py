"""The JSON codec for values crossing the boundary."""

from __future__ import annotations

import json
import math

import pytest
import torch

from grader.sandbox import codec
from tests.support.values import encoded_tensor as _tensor


def test_plain_values_pass_through() -> None:
    value = {"a": [1, 2.5, "s", None, True], "b": {"c": []}}
    assert codec.encode(value) == value
    assert codec.decode(value) == value


def test_non_finite_floats() -> None:
    assert codec.encode([math.nan, math.inf, -math.inf, 1.0]) == ["nan", "inf", "-inf", 1.0]
    decoded = codec.decode(["nan", "inf", "-inf"])
    assert math.isnan(decoded[0]) and decoded[1] == math.inf and decoded[2] == -math.inf


def test_tensor_round_trip() -> None:
    t = torch.tensor([[1.0, math.nan], [math.inf, -2.0]], dtype=torch.float64, requires_grad=True)
    data = codec.encode(t)
    assert data == {
        "__tensor__": True,
        "dtype": "float64",
        "shape": [2, 2],
        "requires_grad": True,
        "data": [[1.0, "nan"], ["inf", -2.0]],
    }
    json.dumps(data, allow_nan=False)  # strictly JSON
    back = codec.decode(data)
    assert back.dtype == torch.float64 and back.requires_grad and back.shape == (2, 2)
    assert torch.equal(back.detach().nan_to_num(0.0), t.detach().nan_to_num(0.0))


def test_scalar_empty_and_int_tensors() -> None:
    for t in (
        torch.tensor(3.5),
        torch.zeros(0, 3),
        torch.arange(6).reshape(2, 3),
        torch.tensor([True, False]),
    ):
        back = codec.decode(codec.encode(t))
        assert back.dtype == t.dtype and back.shape == t.shape and torch.equal(back, t)


def test_refuses_what_json_cannot_carry() -> None:
    for bad in (
        object(),
        {1: 2},
        torch.zeros(2, dtype=torch.complex64),
        {"__tensor__": 1},
        b"bytes",
    ):
        with pytest.raises(codec.CodecError):
            codec.encode(bad)


@pytest.mark.parametrize(
    "bad",
    [
        {
            "__tensor__": True,
            "dtype": "float32",
            "shape": [3],
            "requires_grad": False,
            "data": [1.0, 2.0],
        },
        {"__tensor__": True, "dtype": "object", "shape": [1], "requires_grad": False, "data": [1]},
        {
            "__tensor__": True,
            "dtype": "float32",
            "shape": [2],
            "requires_grad": False,
            "data": [1.0, [2.0]],
        },
        {"__tensor__": True, "dtype": "int64", "shape": [1], "requires_grad": True, "data": [1]},
        {
            "__tensor__": True,
            "dtype": "float32",
            "shape": [1],
            "requires_grad": False,
            "data": ["x"],
        },
        {"__tensor__": True, "dtype": "float32", "shape": [1]},
        1e309,
        [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    ],
)
def test_validate_rejects_malformed(bad: object) -> None:
    assert codec.validate(bad) != ""


def test_validate_budget() -> None:
    assert (
        codec.validate(list(range(100)), [50]) == "a value too large to compare (too many numbers)"
    )
    empty = {
        "__tensor__": True,
        "dtype": "float32",
        "shape": [0, codec.MAX_ELEMENTS],
        "requires_grad": False,
        "data": [],
    }
    assert codec.validate(empty) == ""
    assert codec.decode(empty).shape == (0, codec.MAX_ELEMENTS)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (10**400, "an integer too large to compare (100000…000 has 401 digits"),
        (-(2**63) - 1, "integer too large"),
        ([1.0, {"a": 2**64}], "integer too large"),
        (
            _tensor([0, 10**30], []),
            "a tensor of shape [0, 1000000000000000000000000000000], larger",
        ),
        (_tensor([0, 10**9], []), "larger than the 1,000,000 elements"),
        (_tensor([1001, 1001], []), "larger than"),
        (_tensor([1] * 9, [[[[[[[[[1.0]]]]]]]]]), "rank 9"),
        (_tensor([1], [2**70], "int64"), "outside its range"),
        (_tensor([1], [2**70], "float64"), "integer too large"),
        (_tensor([2], [300, 1], "int8"), "int8 holding 300, outside its range [-128, 127]"),
        (_tensor([1], [-1], "uint8"), "outside its range [0, 255]"),
        (_tensor([1], [2**31], "int32"), "outside its range"),
        (
            [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
            "nested more than",
        ),
    ],
)
def test_out_of_bounds_values_are_value_problems(value: object, said: str) -> None:
    problem = codec.check(value)
    assert problem is not None and problem.of_value
    assert said in problem.message


@pytest.mark.parametrize(
    "value",
    [
        _tensor([1], [2], "bool"),
        _tensor([1], [1.5], "int64"),
        _tensor([1], ["nan"], "int8"),
        _tensor([2, 2], [[1.0, 2.0], [3.0]]),
        _tensor([2], [[1.0], [2.0]]),
        {"__refused__": "forged by the child"},
        {"__tensor__": True, "dtype": "float64"},
    ],
)
def test_malformed_encodings_are_not_value_problems(value: object) -> None:
    problem = codec.check(value)
    assert problem is not None and not problem.of_value


@pytest.mark.parametrize(
    "value",
    [
        _tensor([0] + [4] * (codec.MAX_RANK - 1), []),
        _tensor([3], [2**63 - 1, -(2**63), 0], "int64"),
        _tensor([2], [-128, 127], "int8"),
        _tensor([3], [True, 0, 1], "bool"),
        _tensor([2], ["nan", 2**62], "float32"),
        _tensor([3, 0], [[], [], []]),
        2**63 - 1,
    ],
)
def test_values_at_the_bounds_pass_and_decode(value: object) -> None:
    assert codec.check(value) is None
    codec.decode(value)


def test_the_child_may_not_send_the_refused_marker_and_the_parent_decodes_it() -> None:
    with pytest.raises(codec.CodecError, match="reserved"):
        codec.encode({"__refused__": "x"})
    assert codec.decode([codec.refused("why")]) == [codec.Refused("why")]
