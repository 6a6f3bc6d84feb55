"""Values as they cross the sandbox boundary, written by hand for tests."""

from __future__ import annotations


def encoded_tensor(shape: list[int], data: object, dtype: str = "float64") -> dict[str, object]:
    """A tensor in the codec's JSON form, with whatever shape and data a test claims
    (exercises.spec.tensor_arg infers the shape; a forged result must not)."""
    return {
        "__tensor__": True,
        "dtype": dtype,
        "shape": shape,
        "requires_grad": False,
        "data": data,
    }
