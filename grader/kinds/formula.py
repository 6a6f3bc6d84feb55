"""Formula answers: an expression in x such as `2*x*cos(x^2)`.

Read by the sandbox package's pure parser (grader/sandbox/formula.py: it reads, it never
evaluates) at intake, so an unreadable formula is refused before it is stored; evaluated
only in the sandbox (`formula` protocol) at seeded points and compared there with the
values torch autograd gives. The widget shows how the formula is read while the student
types (the `formula_preview` view)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from ..sandbox.formula import FormulaError, parse
from .base import AnswerRejected, check_text
from .sandboxed import SandboxKind


class Formula(SandboxKind):
    name = "formula"
    template = "answers/formula.html"
    label = "Your formula in x"
    protocols = ("formula",)

    def schema_problem(self, item: dict[str, Any]) -> str:
        if not isinstance(item.get("solution"), str) or not item["solution"]:
            return "'solution' is required (a non-empty string)"
        wrong = item.get("wrong", {})
        if not isinstance(wrong, dict) or not all(isinstance(v, str) for v in wrong.values()):
            return "'wrong' must map misconception names to formulas"
        return ""

    def field(self, item: dict[str, Any], *, label: str = "") -> forms.Field:
        preview = f"preview-{item['id']}"
        return forms.CharField(
            label=label,
            required=False,
            # No max_length: the parser says "too long" in its own words, at intake.
            strip=False,
            widget=forms.TextInput(
                attrs={
                    "class": "formula",
                    "placeholder": "a formula in x, e.g. 2x cos(x^2)",
                    "autocomplete": "off",
                    "spellcheck": "false",
                    # As the student types, htmx asks the server how it reads the formula
                    # (a pure parse, nothing is evaluated) and shows it as math.
                    "hx-get": reverse("exercises:formula_preview"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": f"#{preview}",
                    "hx-swap": "innerHTML",
                    # An unreadable formula answers 400 with the reason to show.
                    "data-swap-errors": "",
                    "aria-describedby": preview,
                }
            ),
        )

    def intake(self, item: dict[str, Any], answer: Any) -> Any:
        text = check_text(answer).strip()
        if not text:
            raise AnswerRejected("The answer is empty.")
        try:
            parse(text)
        except FormulaError as exc:
            raise AnswerRejected(f"Could not read the formula: {exc}") from exc
        return text

    def refusal(self, item: dict[str, Any], text: str) -> str:
        try:
            parse(text)
        except FormulaError as exc:
            return f"Could not read the formula: {exc}"
        return ""


KIND = Formula()
