"""Values that cross the sandbox boundary: JSON only, never pickle.

Numbers, strings, bools, null, lists and dicts pass as they are; non-finite floats become
the strings ``"nan"``, ``"inf"`` and ``"-inf"`` (JSON has no spelling for them); a tensor
becomes ``{"__tensor__": true, "dtype": ..., "shape": [...], "requires_grad": ...,
"data": ...}``.  ``validate`` checks a decoded-from-JSON value without building anything,
so the parent can reject a malformed or oversized result before anyone reads it.

torch is imported lazily: the web process imports this package to parse formulas and must
not pay the cost of importing torch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

TENSOR_KEY = "__tensor__"
NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
# dtypes a tensor may carry across the boundary; complex and quantised types are refused
# because their data has no plain JSON form.
DTYPES = frozenset(
    {
        "float64",
        "float32",
        "float16",
        "bfloat16",
        "int64",
        "int32",
        "int16",
        "int8",
        "uint8",
        "bool",
    }
)
MAX_DEPTH = 32


class CodecError(ValueError):
    """A value cannot be encoded, or a JSON value is not a valid encoding."""


def encode_float(value: float) -> float | str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(value)


def _encode_data(data: Any) -> Any:
    # tolist() yields nested lists of Python scalars; only floats need mapping.
    if isinstance(data, list):
        return [_encode_data(item) for item in data]
    if isinstance(data, float):
        return encode_float(data)
    return data


def _encode_tensor(value: torch.Tensor) -> dict[str, Any]:
    dtype = str(value.dtype).removeprefix("torch.")
    if dtype not in DTYPES:
        raise CodecError(f"cannot send a tensor of dtype {dtype}")
    plain = value.detach()
    if plain.is_sparse:
        plain = plain.to_dense()
    return {
        TENSOR_KEY: True,
        "dtype": dtype,
        "shape": list(plain.shape),
        "requires_grad": bool(value.requires_grad),
        "data": _encode_data(plain.cpu().tolist()),
    }


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn a Python/torch value into JSON-ready data; raise CodecError if impossible."""
    if _depth > MAX_DEPTH:
        raise CodecError("value is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return encode_float(value)
    if isinstance(value, (list, tuple)):
        return [encode(item, _depth + 1) for item in value]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CodecError(f"dict keys must be strings, not {type(key).__name__}")
            if key == TENSOR_KEY:
                raise CodecError(f"the key {TENSOR_KEY!r} is reserved")
            out[key] = encode(item, _depth + 1)
        return out
    torch = _torch_if_loaded()
    if torch is not None and isinstance(value, torch.Tensor):
        return _encode_tensor(value)
    raise CodecError(f"cannot send a value of type {type(value).__name__}")


def _torch_if_loaded() -> Any:
    # A tensor can only exist if torch was imported, so never import it just to check.
    import sys

    return sys.modules.get("torch")


def _decode_data(data: Any) -> Any:
    if isinstance(data, list):
        return [_decode_data(item) for item in data]
    if isinstance(data, str):
        if data in NONFINITE:
            return NONFINITE[data]
        raise CodecError(f"unexpected string {data[:20]!r} in tensor data")
    return data


def decode(value: Any, _depth: int = 0) -> Any:
    """Inverse of ``encode``: build Python values and torch tensors from JSON data."""
    if _depth > MAX_DEPTH:
        raise CodecError("value is nested too deeply")
    if isinstance(value, str):
        return NONFINITE.get(value, value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, list):
        return [decode(item, _depth + 1) for item in value]
    if isinstance(value, dict):
        if value.get(TENSOR_KEY) is True:
            return _decode_tensor(value)
        return {str(key): decode(item, _depth + 1) for key, item in value.items()}
    raise CodecError(f"not a JSON value: {type(value).__name__}")


def _decode_tensor(value: dict[str, Any]) -> torch.Tensor:
    import torch

    problem = _tensor_problem(value)
    if problem:
        raise CodecError(problem)
    dtype = getattr(torch, value["dtype"])
    tensor = torch.tensor(_decode_data(value["data"]), dtype=dtype).reshape(value["shape"])
    if value["requires_grad"]:
        tensor.requires_grad_(True)
    return tensor


def _shape_of(data: Any, depth: int) -> list[int] | None:
    """Shape of a rectangular nested list of scalars, or None if ragged/invalid."""
    if depth > MAX_DEPTH:
        return None
    if not isinstance(data, list):
        ok = isinstance(data, (int, float, bool)) or data in NONFINITE
        return [] if ok else None
    if not data:
        return [0]
    inner = _shape_of(data[0], depth + 1)
    if inner is None:
        return None
    for item in data[1:]:
        if _shape_of(item, depth + 1) != inner:
            return None
    return [len(data), *inner]


def _tensor_problem(value: dict[str, Any]) -> str:
    if set(value) != {TENSOR_KEY, "dtype", "shape", "requires_grad", "data"}:
        return "a tensor needs exactly the keys __tensor__, dtype, shape, requires_grad, data"
    if value["dtype"] not in DTYPES:
        return f"unknown tensor dtype {str(value['dtype'])[:20]!r}"
    shape = value["shape"]
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        return "tensor shape must be a list of non-negative integers"
    if not isinstance(value["requires_grad"], bool):
        return "tensor requires_grad must be a bool"
    if value["requires_grad"] and not value["dtype"].startswith(("float", "bfloat")):
        return "only floating-point tensors can require grad"
    found = _shape_of(value["data"], 0)
    if found is None:
        return "tensor data must be a rectangular nested list of numbers"
    if found != shape and not (0 in shape and math.prod(shape) == 0 and found[:1] == [0]):
        return f"tensor data has shape {found}, but shape says {shape}"
    return ""


def validate(value: Any, budget: list[int] | None = None, _depth: int = 0) -> str:
    """Return "" if ``value`` is a valid encoding, else a description of the problem.

    ``budget`` is a one-element list counting how many more nodes may be visited, so a
    caller can bound the work done on a hostile result.
    """
    if budget is None:
        budget = [1_000_000]
    budget[0] -= 1
    if budget[0] < 0:
        return "value is too large"
    if _depth > MAX_DEPTH:
        return "value is nested too deeply"
    if value is None or isinstance(value, (bool, int, str)):
        return ""
    if isinstance(value, float):
        return "" if math.isfinite(value) else "non-finite float must be encoded as a string"
    if isinstance(value, list):
        for item in value:
            problem = validate(item, budget, _depth + 1)
            if problem:
                return problem
        return ""
    if isinstance(value, dict):
        if TENSOR_KEY in value:
            if value[TENSOR_KEY] is not True:
                return "the key __tensor__ is reserved"
            problem = _tensor_problem(value)
            if not problem:
                budget[0] -= math.prod(value["shape"])
                if budget[0] < 0:
                    return "value is too large"
            return problem
        for key, item in value.items():
            if not isinstance(key, str):
                return "dict keys must be strings"
            problem = validate(item, budget, _depth + 1)
            if problem:
                return problem
        return ""
    return f"not a JSON value: {type(value).__name__}"
