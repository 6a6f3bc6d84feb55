"""Tensor-aware comparison of a student's value with the expected one.

Framework-free (torch only). Decoded sandbox outputs arrive as torch tensors, Python
numbers or (nested) lists; both sides are brought to float64 tensors, then compared
on shape, non-finite values and a relative+absolute tolerance, and the feedback names
the first element that differs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class Comparison:
    ok: bool
    message: str


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"tensor of shape {tuple(value.shape)}"
    return type(value).__name__


def _as_tensor(value: Any) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return torch.tensor(float(value), dtype=torch.float64)
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return torch.tensor(float(value), dtype=torch.float64)
    if isinstance(value, list | tuple):
        try:
            parts = [_as_tensor(v) for v in value]
            if any(p is None for p in parts):
                return None
            return torch.stack(parts) if parts else torch.zeros(0, dtype=torch.float64)  # type: ignore[arg-type]
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
    if expected is None:
        # Used by misconceptions that predict "no gradient at all" (e.g. w.grad is None).
        return Comparison(actual is None, "matches" if actual is None else "expected no value")
    if actual is None:
        return Comparison(False, "no value was produced")
    if isinstance(expected, tuple | list) and not _is_numeric_list(expected):
        # A tuple of values (e.g. the (dL/dw, dL/db) pair): compare element-wise.
        if not isinstance(actual, tuple | list) or len(actual) != len(expected):
            return Comparison(False, f"expected {len(expected)} values, got {_describe(actual)}")
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            result = compare(a, e, rtol=rtol, atol=atol, strict_tensor=strict_tensor)
            if not result.ok:
                return Comparison(False, f"value {i + 1}: {result.message}")
        return Comparison(True, "matches")
    if strict_tensor and isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            return Comparison(False, f"expected a tensor, got {_describe(actual)}")
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
        return Comparison(False, f"expected a number or tensor, got {_describe(actual)}")
    if a.shape != e.shape:
        if a.numel() == e.numel() == 1:
            a = a.reshape(e.shape)
        else:
            return Comparison(False, f"shape is {tuple(a.shape)}, expected {tuple(e.shape)}")
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


def _is_numeric_list(value: Any) -> bool:
    return all(isinstance(v, int | float | str | list) and not isinstance(v, bool) for v in value)


def _index_text(flat_index: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return "the value"
    idx = []
    for dim in reversed(shape):
        idx.append(flat_index % dim)
        flat_index //= dim
    return "index [" + ", ".join(str(i) for i in reversed(idx)) + "]"
