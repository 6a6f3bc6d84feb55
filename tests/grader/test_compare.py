import math

import torch

from grader.compare import compare


def test_it_accepts_values_within_tolerance() -> None:
    assert compare([1.0, 2.0 + 1e-9], [1.0, 2.0]).ok


def test_it_names_the_first_mismatching_element() -> None:
    result = compare(torch.tensor([[1.0, 2.0], [3.0, 4.5]]), torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not result.ok
    assert "index [1, 1]" in result.message
    assert "got 4.5, expected 4" in result.message


def test_it_reports_a_shape_mismatch() -> None:
    result = compare(torch.zeros(3), torch.zeros(2, 3))
    assert not result.ok
    assert result.message == "shape is (3,), expected (2, 3)"


def test_it_flags_nan_and_inf_from_the_student() -> None:
    result = compare([float("nan"), 1.0], [0.5, 1.0])
    assert not result.ok
    assert "not a finite number" in result.message
    assert not compare("inf", 3.0).ok


def test_nan_expected_and_given_counts_as_equal() -> None:
    assert compare([math.nan], [math.nan]).ok


def test_strict_tensor_checks_dtype_and_requires_grad() -> None:
    expected = torch.zeros(2, dtype=torch.float64)
    assert "dtype" in compare(torch.zeros(2), expected, strict_tensor=True).message
    flagged = compare(
        torch.zeros(2, dtype=torch.float64, requires_grad=True), expected, strict_tensor=True
    )
    assert flagged.message == "requires_grad is True, expected False"


def test_a_pair_is_compared_element_by_element() -> None:
    result = compare([torch.tensor(0.5), 2.0], [0.5, 2.5])
    assert not result.ok
    assert "got 2, expected 2.5" in result.message


def test_missing_and_wrongly_typed_values_fail_with_a_reason() -> None:
    assert compare(None, 1.0).message == "no value was produced"
    assert "expected a number or tensor" in compare({"a": 1}, 1.0).message


def test_none_expected_means_no_value() -> None:
    assert compare(None, None).ok
    assert not compare(1.0, None).ok
