"""Numeric answers: a number typed by the student, compared with a tolerance.

Plain data, graded in the trusted process: the text is read with float() on a short
string, never evaluated. The right number is fixed (`answer`) or one of the variant's
parameters (`answer_param`); declared misconceptions (`misconceptions`: a `value` or a
`param` with its `message`) are named, and any other wrong number gets the diagnosis of
grader.feedback (the sign, a factor, zero)."""

from __future__ import annotations

import math
from typing import Any

from django import forms

from ..feedback import diagnose
from ..results import CheckResult
from .base import AnswerKind, AnswerRejected, ItemContext, check_text, result, where

MAX_CHARS = 64


def read_number(text: Any) -> float | None:
    """A finite number from the student's text (a Unicode minus reads as "-"), or None."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text) if math.isfinite(text) else None
    if not isinstance(text, str) or len(text) > MAX_CHARS:
        return None
    try:
        value = float(text.strip().replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def expected_number(item: dict[str, Any], params: dict[str, Any]) -> float:
    if "answer_param" in item:
        return float(params[item["answer_param"]])
    return float(item["answer"])


class Numeric(AnswerKind):
    name = "numeric"
    template = "answers/numeric.html"
    label = "Your number"

    def schema_problem(self, item: dict[str, Any]) -> str:
        if "answer" not in item and "answer_param" not in item:
            return "a numeric item needs 'answer' or 'answer_param'"
        return ""

    def field(self, item: dict[str, Any], *, label: str = "") -> forms.Field:
        return forms.CharField(
            label=label,
            required=False,
            max_length=MAX_CHARS,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )

    def intake(self, item: dict[str, Any], answer: Any) -> Any:
        text = check_text(answer if isinstance(answer, str) else str(answer))
        if text.strip() and read_number(text) is None:
            raise AnswerRejected(
                f"{where(item).capitalize()}: {text.strip()[:MAX_CHARS]!r} is not a number; "
                "give a number, e.g. 4 or -0.25."
            )
        return answer

    def grade(self, item: dict[str, Any], answer: Any, ctx: ItemContext) -> CheckResult:
        value = read_number(answer)
        want = expected_number(item, ctx.params)
        tol = float(item.get("tolerance", 1e-6))
        max_score = float(item["max_score"])
        if value is None:
            return result(item, 0.0, "Give a number, e.g. 4 or -0.25.")
        if math.isclose(value, want, rel_tol=tol, abs_tol=tol):
            return result(item, max_score, "Correct.")
        for rule in item.get("misconceptions", []):
            guess = float(ctx.params[rule["param"]]) if "param" in rule else float(rule["value"])
            if math.isclose(value, guess, rel_tol=tol, abs_tol=tol):
                return result(item, 0.0, f"{value:g} is not right. {rule['message']}")
        why = diagnose([value], [want], tol=tol)
        return result(
            item, 0.0, f"{value:g} is not right: {why}." if why else f"{value:g} is not right."
        )

    def reference(self, item: dict[str, Any], params: dict[str, Any]) -> Any:
        return repr(expected_number(item, params))

    def problems(self, item: dict[str, Any], params: dict[str, Any]) -> list[str]:
        if "answer_param" in item and item["answer_param"] not in params:
            return [
                f"{where(item)}: 'answer_param' {item['answer_param']!r} is not a variant parameter"
            ]
        problems = super().problems(item, params)
        for rule in item.get("misconceptions", []):
            if "param" in rule and rule["param"] not in params:
                problems.append(
                    f"{where(item)}: misconception param {rule['param']!r} is not a variant parameter"
                )
                continue
            guess = params[rule["param"]] if "param" in rule else rule.get("value")
            graded = self.grade(item, repr(float(guess)), ItemContext(params))
            if graded.passed or rule["message"] not in graded.output:
                problems.append(
                    f"{where(item)}: the wrong answer {guess!r} is not recognised: {graded.output}"
                )
        return problems


KIND = Numeric()
