"""The JSON codec for values crossing the boundary."""

from __future__ import annotations

import json
import math

import pytest
import torch

from grader.sandbox import codec


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
    assert codec.validate(list(range(100)), [50]) == "value is too large"
    big = {
        "__tensor__": True,
        "dtype": "float32",
        "shape": [0, 10**9],
        "requires_grad": False,
        "data": [],
    }
    assert codec.validate(big) == ""
