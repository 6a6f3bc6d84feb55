import math

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.compare import Comparison, compare
from grader.sandbox.codec import Refused


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
    assert result.message == "got a vector of 3 values, expected a 2×3 matrix"


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


# --- whatever the student's value, compare answers -------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.sampled_from(["nan", "inf", "-inf"]),
)
_json_like = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=20,
)
_DTYPES = [torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int8]
_DTYPES += [torch.uint8, torch.bool, torch.complex64]
_tensors = st.builds(
    lambda shape, dtype: torch.zeros(shape, dtype=dtype),
    st.lists(st.integers(0, 3), max_size=3),
    st.sampled_from(_DTYPES),
)
_expected = st.sampled_from(
    [1.0, [1.0, 2.0], [torch.tensor(0.5), 2.0], torch.zeros(2, 3), None, [[1.0, 2.0], [3.0, 4.0]]]
)


@settings(max_examples=300, deadline=None)
@given(actual=st.one_of(_json_like, _tensors, st.lists(_tensors, max_size=3)), expected=_expected)
def test_compare_never_raises_on_a_student_value(actual: object, expected: object) -> None:
    for strict in (False, True):
        result = compare(actual, expected, strict_tensor=strict)
        assert isinstance(result.ok, bool) and result.message


def test_wrong_kinds_say_what_was_given_and_what_was_expected() -> None:
    result = compare(10**400, 1.0)
    assert not result.ok and result.got == "an integer too large to compare"
    ragged = compare([[1.0], [1.0, 2.0]], [[1.0, 2.0], [3.0, 4.0]])
    assert ragged.got == "a list that is not an array of numbers"
    paired = compare([0.5, "x"], [torch.tensor(0.5), 2.0])
    assert paired.got == "a str as value 2" and paired.want == "a number or tensor"
    deep: object = 1.0
    for _ in range(100):
        deep = [deep]
    assert "nested more than" in compare(deep, 1.0).message


def test_a_refused_value_fails_with_its_own_message() -> None:
    result = compare(Refused("Your function returned a tensor of rank 9."), 1.0)
    assert result == Comparison(False, "Your function returned a tensor of rank 9.")
