"""The answer-kind registry: every kind is one module plus its widget template, the
course loader knows each kind's own keys, and the data kinds grade as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.template.loader import get_template

from exercises.course import CourseError, check_item, item_kinds
from grader import kinds
from grader.kinds import ItemContext

ORDER: dict[str, Any] = {
    "id": "loop",
    "kind": "order",
    "prompt": "Put one training step in order.",
    "max_score": 4,
    "steps": [
        {"id": "zero", "text": "opt.zero_grad()"},
        {"id": "forward", "text": "loss = loss_fn(model(x), y)"},
        {"id": "backward", "text": "loss.backward()"},
        {"id": "step", "text": "opt.step()"},
    ],
}
PICK: dict[str, Any] = {
    "id": "leaves",
    "kind": "choice",
    "multiple": True,
    "prompt": "Which tensors get .grad?",
    "max_score": 2,
    "options": [
        {"id": "w", "text": "w"},
        {"id": "b", "text": "b"},
        {"id": "z", "text": "z = w*x + b"},
    ],
    "correct": ["w", "b"],
    "feedback": {"z": "z is not a leaf: its gradient is not kept (§5)."},
}


def test_every_kind_is_a_module_with_its_widget_template() -> None:
    root = Path(kinds.__file__).parent
    for name, kind in kinds.KINDS.items():
        assert (root / f"{name}.py").exists()
        assert get_template(kind.template) is not None
    assert set(item_kinds()) == set(kinds.KINDS)
    assert kinds.for_protocol("call") is kinds.kind("code")
    assert kinds.for_protocol("formula") is kinds.kind("formula")
    assert kinds.for_protocol("none") is None


def test_the_course_loader_checks_each_kinds_own_keys() -> None:
    check_item("quiz.json: questions[0]", ORDER, allowed=item_kinds())
    with pytest.raises(CourseError, match="at least two 'steps'"):
        check_item("quiz.json: questions[0]", {**ORDER, "steps": []}, allowed=item_kinds())
    with pytest.raises(CourseError, match="'kind' must be one of"):
        check_item("info.json: parts[0]", {**ORDER, "kind": "essay"}, allowed=item_kinds())


def test_an_order_earns_the_longest_right_prefix() -> None:
    order = kinds.kind("order")
    ctx = ItemContext({})
    assert order.grade(ORDER, ["zero", "forward", "backward", "step"], ctx).score == 4
    late_zero = order.grade(ORDER, ["forward", "backward", "step", "zero"], ctx)
    assert late_zero.score == 0
    assert (
        late_zero.output == "Step 1 should be “opt.zero_grad()”, not “loss = loss_fn(model(x), y)”."
    )
    swapped = order.grade(ORDER, ["zero", "forward", "step", "backward"], ctx)
    assert swapped.score == 2 and "Step 3 should be “loss.backward()”" in swapped.output


def test_a_multiple_choice_gives_partial_credit_and_names_the_slips() -> None:
    choice = kinds.kind("choice")
    ctx = ItemContext({})
    assert choice.grade(PICK, ["w", "b"], ctx).score == 2
    missed = choice.grade(PICK, ["w"], ctx)
    assert missed.score == 1 and missed.output == "You left out “b”."
    extra = choice.grade(PICK, ["w", "b", "z"], ctx)
    assert extra.score == 1
    assert (
        extra.output
        == "“z = w*x + b” is not right: z is not a leaf: its gradient is not kept (§5)."
    )
    assert choice.grade(PICK, ["z"], ctx).score == 0


def test_a_wrong_number_gets_a_reason() -> None:
    item = {
        "id": "slope",
        "kind": "numeric",
        "prompt": "dy/dx at x = 3?",
        "answer": 6,
        "max_score": 1,
    }
    graded = kinds.kind("numeric").grade(item, "-6", ItemContext({}))
    assert (
        graded.output
        == "-6 is not right: it has the wrong sign: it is exactly −1 times the right value."
    )
