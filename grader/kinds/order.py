"""Order answers: put the steps in the right order (a training loop's zero_grad,
forward, backward, step). Plain data, graded in the trusted process.

The widget is one select per position; the answer is the list of step ids in the
student's order. Credit is the longest right prefix: steps after the first misplaced
one do not count, since in a loop everything after a misplaced step runs on a wrong
state. The worked example of adding a kind, in docs/authoring.md."""

from __future__ import annotations

from typing import Any

from django import forms

from ..results import CheckResult
from .base import AnswerKind, AnswerRejected, ItemContext, check_text, result, where


class OrderWidget(forms.MultiWidget):
    """One select per position, each offering every step."""

    def __init__(self, steps: list[tuple[str, str]]) -> None:
        choices = [("", "—"), *steps]
        super().__init__([forms.Select(choices=choices) for _ in steps])

    def decompress(self, value: Any) -> list[Any]:
        return list(value) if value else [None] * len(self.widgets)


class OrderField(forms.MultiValueField):
    def __init__(self, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        fields = [forms.ChoiceField(choices=steps, required=False) for _ in steps]
        super().__init__(
            fields, widget=OrderWidget(steps), require_all_fields=False, required=False, **kwargs
        )

    def compress(self, data_list: list[Any]) -> list[str]:
        return [d for d in data_list if d]


class Order(AnswerKind):
    name = "order"
    template = "answers/order.html"
    label = "Your order"

    def schema_problem(self, item: dict[str, Any]) -> str:
        steps = item.get("steps")
        if (
            not isinstance(steps, list)
            or len(steps) < 2
            or not all(isinstance(s, dict) and isinstance(s.get("id"), str) for s in steps)
        ):
            return "an order item needs at least two 'steps' with ids, in the right order"
        return ""

    def public(self, item: dict[str, Any]) -> dict[str, Any]:
        # The steps are listed in the right order in the folder: the pages get them
        # sorted by their text, which says nothing about the order.
        steps = sorted(item["steps"], key=lambda s: s["text"])
        return {**super().public(item), "steps": steps}

    def field(self, item: dict[str, Any], *, label: str = "") -> forms.Field:
        return OrderField([(s["id"], s["text"]) for s in item["steps"]], label=label)

    def intake(self, item: dict[str, Any], answer: Any) -> Any:
        ids = {s["id"] for s in item["steps"]}
        values = answer if isinstance(answer, list) else [answer]
        for value in values:
            if check_text(str(value)) not in ids:
                raise AnswerRejected(f"{where(item).capitalize()} has no step {value!r}.")
        if len(set(values)) != len(values):
            raise AnswerRejected(f"{where(item).capitalize()}: each step goes in one place.")
        return answer

    def grade(self, item: dict[str, Any], answer: Any, ctx: ItemContext) -> CheckResult:
        right = [s["id"] for s in item["steps"]]
        given = [a for a in answer if isinstance(a, str)] if isinstance(answer, list) else []
        max_score = float(item["max_score"])
        if given == right:
            return result(item, max_score, "Correct.")
        if not given:
            return result(item, 0.0, "No order was given.")
        prefix = next(
            (i for i, (g, r) in enumerate(zip(given, right, strict=False)) if g != r), len(given)
        )
        texts = {s["id"]: s["text"] for s in item["steps"]}
        if prefix < min(len(given), len(right)):
            why = (
                f"Step {prefix + 1} should be “{texts[right[prefix]]}”, "
                f"not “{texts.get(given[prefix], given[prefix])}”."
            )
        else:
            why = f"The order stops after {len(given)} of {len(right)} steps."
        return result(item, round(max_score * prefix / len(right), 6), why)

    def reference(self, item: dict[str, Any], params: dict[str, Any]) -> Any:
        return [s["id"] for s in item["steps"]]

    def shown(self, item: dict[str, Any], answer: Any) -> str:
        texts = {s["id"]: s["text"] for s in item["steps"]}
        return " → ".join(texts.get(a, str(a)) for a in answer) if isinstance(answer, list) else ""


KIND = Order()
