"""Tensor-aware comparison of a student's value with the expected one.

Framework-free (torch only). Decoded sandbox outputs arrive as torch tensors, Python
numbers or (nested) lists; both sides are brought to float64 tensors, then compared
on shape, non-finite values and a relative+absolute tolerance, and the feedback names
the first element that differs.

`compare` never raises on the student's side: whatever JSON-like value or tensor the
student produced (None, strings, dicts, ragged lists, huge integers, refused values), the
answer is a failing Comparison that says what was given."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from .sandbox.codec import MAX_DEPTH, Refused

_NONFINITE = ("nan", "inf", "-inf")


@dataclass(frozen=True)
class Comparison:
    ok: bool
    message: str
    # When the student's value is of the wrong kind (not a matter of numbers): what it is
    # ("a dict", "a str as value 2") and what was expected, so that a caller can say
    # "Your function returned {got}, expected {want}".
    got: str = ""
    want: str = ""


def _wrong_kind(got: str, want: str) -> Comparison:
    return Comparison(False, f"expected {want}, got {got}", got=got, want=want)


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return "an integer too large to compare"
        return "an int"
    if isinstance(value, list | tuple):
        if _depth_over(value, MAX_DEPTH):
            return f"a list nested more than {MAX_DEPTH} levels deep"
        return "a list that is not an array of numbers"
    name = type(value).__name__
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def _depth_over(value: Any, limit: int) -> bool:
    """Is ``value`` nested deeper than ``limit`` lists? (iterative: no recursion limit)"""
    level = [value]
    for _ in range(limit + 1):
        level = [item for v in level if isinstance(v, list | tuple) for item in v]
        if not level:
            return False
    return True


def _as_tensor(value: Any, depth: int = 0) -> torch.Tensor | None:
    """``value`` as a float64 tensor, or None if it is not a (rectangular) number array."""
    if isinstance(value, torch.Tensor):
        if value.is_complex() or value.dim() > MAX_DEPTH:
            return None
        return value.detach().to(torch.float64)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return torch.tensor(float(value), dtype=torch.float64)
        except OverflowError:  # an int beyond float64
            return None
    if isinstance(value, str) and value in _NONFINITE:
        return torch.tensor(float(value), dtype=torch.float64)
    if isinstance(value, list | tuple) and depth < MAX_DEPTH:
        parts = [_as_tensor(v, depth + 1) for v in value]
        if any(p is None for p in parts):
            return None
        if not parts:
            return torch.zeros(0, dtype=torch.float64)
        try:
            return torch.stack(parts)  # type: ignore[arg-type]
        except RuntimeError:  # ragged
            return None
    return None


def _fmt(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.6g}"


def compare(
    actual: Any,
    expected: Any,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    strict_tensor: bool = False,
) -> Comparison:
    """Compare `actual` (the student's) with `expected` (the reference's)."""
    if isinstance(actual, Refused):  # the parent would not build it; says why already
        return Comparison(False, actual.message)
    if expected is None:
        # Used by misconceptions that predict "no gradient at all" (e.g. w.grad is None).
        return Comparison(actual is None, "matches" if actual is None else "expected no value")
    if actual is None:
        return Comparison(False, "no value was produced", got="None", want="a value")
    if isinstance(expected, tuple | list) and not is_numeric_list(expected):
        # A tuple of values (e.g. the (dL/dw, dL/db) pair): compare element-wise.
        if not isinstance(actual, tuple | list) or len(actual) != len(expected):
            return _wrong_kind(_describe(actual), f"{len(expected)} values")
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            result = compare(a, e, rtol=rtol, atol=atol, strict_tensor=strict_tensor)
            if not result.ok:
                return Comparison(
                    False,
                    f"value {i + 1}: {result.message}",
                    got=f"{result.got} as value {i + 1}" if result.got else "",
                    want=result.want,
                )
        return Comparison(True, "matches")
    if strict_tensor and isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            return _wrong_kind(_describe(actual), "a tensor")
        if actual.dtype != expected.dtype:
            return Comparison(False, f"dtype is {actual.dtype}, expected {expected.dtype}")
        if actual.requires_grad != expected.requires_grad:
            return Comparison(
                False,
                f"requires_grad is {actual.requires_grad}, expected {expected.requires_grad}",
            )
    a = _as_tensor(actual)
    e = _as_tensor(expected)
    if e is None:
        raise TypeError(f"expected value of unsupported type {type(expected).__name__}")
    if a is None:
        return _wrong_kind(_describe(actual), "a number or tensor")
    if a.shape != e.shape:
        if a.numel() == e.numel() == 1:
            a = a.reshape(e.shape)
        else:
            return Comparison(False, f"got {shape_words(a)}, expected {shape_words(e)}")
    a_flat, e_flat = a.reshape(-1), e.reshape(-1)
    same_nan = torch.isnan(a_flat) & torch.isnan(e_flat)
    close = torch.isclose(a_flat, e_flat, rtol=rtol, atol=atol, equal_nan=False) | same_nan
    if bool(close.all()):
        return Comparison(True, "matches")
    index = int((~close).nonzero()[0])
    where = _index_text(index, tuple(e.shape))
    got, want = float(a_flat[index]), float(e_flat[index])
    if math.isnan(got) or math.isinf(got):
        detail = f"got {_fmt(got)} (not a finite number)"
    else:
        detail = f"got {_fmt(got)}, expected {_fmt(want)}"
    mismatches = int((~close).sum())
    return Comparison(
        False, f"{mismatches} of {close.numel()} values differ; first at {where}: {detail}"
    )


def is_numeric_list(value: Any) -> bool:
    return all(isinstance(v, int | float | str | list) and not isinstance(v, bool) for v in value)


def flat_numbers(value: Any) -> list[float] | None:
    """``value`` (a number, a tensor, a nested list) as a flat list of floats, or None if
    it is not a rectangular array of numbers."""
    if isinstance(value, bool):
        return [float(value)]
    tensor = _as_tensor(value)
    return None if tensor is None else [float(v) for v in tensor.reshape(-1).tolist()]


def shape_words(value: Any) -> str:
    """The shape of ``value`` in words: "one number", "a vector of 3 values", "a 2×3
    matrix", "a tensor of shape (2, 3, 4)"."""
    tensor = _as_tensor(value)
    if tensor is None:
        return _describe(value)
    shape = tuple(tensor.shape)
    if len(shape) == 0 or (len(shape) == 1 and shape[0] == 1):
        return "one number"
    if len(shape) == 1:
        return f"a vector of {shape[0]} values"
    if len(shape) == 2:
        return f"a {shape[0]}×{shape[1]} matrix"
    return f"a tensor of shape {shape}"


def _index_text(flat_index: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return "the value"
    idx = []
    for dim in reversed(shape):
        idx.append(flat_index % dim)
        flat_index //= dim
    return "index [" + ", ".join(str(i) for i in reversed(idx)) + "]"
