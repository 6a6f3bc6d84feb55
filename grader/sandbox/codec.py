"""Values that cross the sandbox boundary: JSON only, never pickle.

Numbers, strings, bools, null, lists and dicts pass as they are; non-finite floats become
the strings ``"nan"``, ``"inf"`` and ``"-inf"`` (JSON has no spelling for them); a tensor
becomes ``{"__tensor__": true, "dtype": ..., "shape": [...], "requires_grad": ...,
"data": ...}``.  ``check`` (and ``validate``) inspect a decoded-from-JSON value without
building anything, so the parent can reject a malformed or oversized result before anyone
reads it.  A value that is well formed but out of bounds (an integer beyond int64, a tensor
too large to compare) is the student's doing, not a broken protocol: the parent replaces
it by a ``refused`` marker, which decodes to a ``Refused`` that fails its check with a
message the student can act on.

torch is imported lazily: the web process imports this package to parse formulas and must
not pay the cost of importing torch.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
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
# The child refuses only what would endanger its own stack (a list containing itself);
# anything between MAX_DEPTH and this reaches the parent, which names the problem.
ENCODE_MAX_DEPTH = 100
# Bounds on a value the trusted side will build and compare.  torch shapes are int64 and
# a 2 MB result holds at most ~1M numbers, so no legitimate answer comes near them; a
# zero-size tensor carries no data, so its dims are bounded explicitly.
MAX_RANK = 8
MAX_ELEMENTS = 1_000_000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INT_RANGES = {
    "int64": (INT64_MIN, INT64_MAX),
    "int32": (-(2**31), 2**31 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "uint8": (0, 2**8 - 1),
}
# Set by the parent only (encode refuses the key): {"__refused__": "Your function ..."}.
REFUSED_KEY = "__refused__"
RESERVED_KEYS = (TENSOR_KEY, REFUSED_KEY)


class CodecError(ValueError):
    """A value cannot be encoded, or a JSON value is not a valid encoding."""


@dataclass(frozen=True)
class Problem:
    """Why a JSON value is not acceptable.

    ``of_value`` is True when the encoding is well formed but the value is out of bounds:
    then ``message`` completes a sentence such as "Your function returned …" ("an integer
    too large to compare (…)").  Otherwise the document itself is malformed."""

    message: str
    of_value: bool = False


@dataclass(frozen=True)
class Refused:
    """A value the parent would not build: fails its check with ``message``."""

    message: str


def refused(message: str) -> dict[str, str]:
    """The encoding of a Refused value (made by the parent after validation only)."""
    return {REFUSED_KEY: message}


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
    if _depth > ENCODE_MAX_DEPTH:
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
            if key in RESERVED_KEYS:
                raise CodecError(f"the key {key!r} is reserved")
            out[key] = encode(item, _depth + 1)
        return out
    torch = _torch_if_loaded()
    if torch is not None and isinstance(value, torch.Tensor):
        return _encode_tensor(value)
    raise CodecError(f"cannot send a value of type {type(value).__name__}")


def _torch_if_loaded() -> Any:
    # A tensor can only exist if torch was imported, so never import it just to check.
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
        if set(value) == {REFUSED_KEY} and isinstance(value[REFUSED_KEY], str):
            return Refused(value[REFUSED_KEY])
        return {str(key): decode(item, _depth + 1) for key, item in value.items()}
    raise CodecError(f"not a JSON value: {type(value).__name__}")


def _decode_tensor(value: dict[str, Any]) -> torch.Tensor:
    import torch

    problem = _tensor_problem(value)
    if problem:
        raise CodecError(problem.message)
    dtype = getattr(torch, value["dtype"])
    tensor = torch.tensor(_decode_data(value["data"]), dtype=dtype).reshape(value["shape"])
    if value["requires_grad"]:
        tensor.requires_grad_(True)
    return tensor


# --- validation ---------------------------------------------------------------------------


def _int_text(value: int) -> str:
    """A short spelling of a possibly huge integer: all digits up to 40, else elided."""
    try:
        text = str(abs(value))
    except ValueError:  # more digits than Python will print; JSON cannot carry those
        return f"an integer of over {sys.get_int_max_str_digits()} digits"
    sign = "-" if value < 0 else ""
    return sign + (text if len(text) <= 40 else f"{text[:6]}…{text[-3:]}")


def _digits(value: int) -> str:
    try:
        return str(len(str(abs(value))))
    except ValueError:
        return f"over {sys.get_int_max_str_digits()}"


def _int_problem(value: int) -> Problem | None:
    if INT64_MIN <= value <= INT64_MAX:
        return None
    return Problem(
        f"an integer too large to compare ({_int_text(value)} has {_digits(value)} digits; "
        "integers must fit in 64 bits)",
        of_value=True,
    )


def _shape_text(shape: list[int]) -> str:
    return "[" + ", ".join(_int_text(n) for n in shape) + "]"


def _leaf_problem(item: Any, dtype: str) -> Problem | None:
    """One element of a tensor's data, for its dtype."""
    if dtype == "bool":
        if item is True or item is False or (type(item) is int and item in (0, 1)):
            return None
        return Problem("bool tensor data must be true, false, 0 or 1")
    if isinstance(item, bool):
        return None
    if dtype in _INT_RANGES:
        if type(item) is not int:
            return Problem(f"{dtype} tensor data must be integers")
        low, high = _INT_RANGES[dtype]
        if low <= item <= high:
            return None
        return Problem(
            f"a tensor of dtype {dtype} holding {_int_text(item)}, outside its range "
            f"[{low}, {high}]",
            of_value=True,
        )
    if isinstance(item, int):
        return _int_problem(item)
    if isinstance(item, float):
        return None if math.isfinite(item) else Problem("non-finite float in tensor data")
    if isinstance(item, str) and item in NONFINITE:
        return None
    return Problem("tensor data must be a rectangular nested list of numbers")


def _shape_problem(shape: list[int]) -> Problem | None:
    if len(shape) > MAX_RANK:
        return Problem(
            f"a tensor of rank {len(shape)}; at most {MAX_RANK} dimensions can be compared",
            of_value=True,
        )
    # Zero dims are skipped so that a zero-size shape cannot name huge other dims.
    size = 1
    for n in shape:
        size *= max(n, 1)
        if n > MAX_ELEMENTS or size > MAX_ELEMENTS:
            return Problem(
                f"a tensor of shape {_shape_text(shape)}, larger than the "
                f"{MAX_ELEMENTS:,} elements that can be compared",
                of_value=True,
            )
    return None


def _data_problem(data: Any, shape: list[int], dtype: str) -> Problem | None:
    """Check ``data`` against ``shape`` level by level (no recursion, work bounded by
    the element count, which ``_shape_problem`` has bounded)."""
    if not isinstance(data, list) and shape:
        return Problem("tensor data must be a rectangular nested list of numbers")
    if shape and data == [] and math.prod(shape) == 0:
        return None  # a zero-size tensor may send [] whatever its shape
    level = [data]
    for n in shape:
        below: list[Any] = []
        for item in level:
            if not isinstance(item, list):
                return Problem("tensor data must be a rectangular nested list of numbers")
            if len(item) != n:
                return Problem(f"tensor data does not have the shape {_shape_text(shape)}")
            below.extend(item)
        level = below
    for item in level:
        problem = _leaf_problem(item, dtype)
        if problem:
            return problem
    return None


def _tensor_problem(value: dict[str, Any]) -> Problem | None:
    if set(value) != {TENSOR_KEY, "dtype", "shape", "requires_grad", "data"}:
        return Problem(
            "a tensor needs exactly the keys __tensor__, dtype, shape, requires_grad, data"
        )
    if value["dtype"] not in DTYPES:
        return Problem(f"unknown tensor dtype {str(value['dtype'])[:20]!r}")
    shape = value["shape"]
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        return Problem("tensor shape must be a list of non-negative integers")
    if not isinstance(value["requires_grad"], bool):
        return Problem("tensor requires_grad must be a bool")
    if value["requires_grad"] and not value["dtype"].startswith(("float", "bfloat")):
        return Problem("only floating-point tensors can require grad")
    return _shape_problem(shape) or _data_problem(value["data"], shape, value["dtype"])


def check(value: Any, budget: list[int] | None = None, _depth: int = 0) -> Problem | None:
    """None if ``value`` is a valid encoding of a value within bounds, else the problem.

    ``budget`` is a one-element list counting how many more nodes may be visited, so a
    caller can bound the work done on a hostile result; running out is a value problem.
    """
    if budget is None:
        budget = [1_000_000]
    budget[0] -= 1
    if budget[0] < 0:
        return Problem("a value too large to compare (too many numbers)", of_value=True)
    if _depth > MAX_DEPTH:
        return Problem(f"a value nested more than {MAX_DEPTH} levels deep", of_value=True)
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, int):
        return _int_problem(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return Problem("non-finite float must be encoded as a string")
    if isinstance(value, list):
        for item in value:
            problem = check(item, budget, _depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        if REFUSED_KEY in value:
            return Problem(f"the key {REFUSED_KEY} is reserved")
        if TENSOR_KEY in value:
            if value[TENSOR_KEY] is not True:
                return Problem("the key __tensor__ is reserved")
            problem = _tensor_problem(value)
            if not problem:
                budget[0] -= math.prod(value["shape"])
                if budget[0] < 0:
                    return Problem("a value too large to compare (too many numbers)", of_value=True)
            return problem
        for key, item in value.items():
            if not isinstance(key, str):
                return Problem("dict keys must be strings")
            problem = check(item, budget, _depth + 1)
            if problem:
                return problem
        return None
    return Problem(f"not a JSON value: {type(value).__name__}")


def validate(value: Any, budget: list[int] | None = None) -> str:
    """ "" if ``value`` is a valid encoding within bounds, else what is wrong with it."""
    problem = check(value, budget)
    return problem.message if problem else ""
