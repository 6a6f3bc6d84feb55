from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.urls import reverse

from exercises.models import Quiz
from exercises.rendering import render_statement

from .quiz_attempts import MAX_ANSWER_CHARS
from .sandbox.formula import FormulaError, parse


def readable_formula(text: str) -> None:
    """A formula the parser cannot read is refused before it is submitted (it would
    score 0); the reason is the one the live preview shows. A pure parse, no eval."""
    try:
        parse(text.strip())
    except FormulaError as exc:
        raise forms.ValidationError(f"Cannot read this formula: {exc}") from exc


@dataclass
class QuestionRow:
    """One question as the page shows it: its prompt (rendered, with the student's own
    numbers) and its form field."""

    question: dict[str, Any]
    prompt_html: str
    field: forms.BoundField


class QuizForm(forms.Form):
    """One field per question, all optional: an unanswered question scores 0."""

    def __init__(self, *args: Any, quiz: Quiz, params: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quiz = quiz
        self.params = params
        for question in quiz.questions:
            self.fields[self.field_name(question)] = self._field(question)
            if question["kind"] == "formula":
                # As the student types, htmx asks the server how it reads the formula
                # (a pure parse, nothing is evaluated) and shows it as math.
                self.fields[self.field_name(question)].widget.attrs.update(
                    {
                        "hx-get": reverse("exercises:formula_preview"),
                        "hx-trigger": "input changed delay:300ms",
                        "hx-target": f"#preview-{question['id']}",
                        "hx-swap": "innerHTML",
                        # An unreadable formula answers 400 with the reason to show.
                        "data-swap-errors": "",
                    }
                )

    @staticmethod
    def field_name(question: dict[str, Any]) -> str:
        return f"q_{question['id']}"

    @staticmethod
    def _field(question: dict[str, Any]) -> forms.Field:
        if question["kind"] == "choice":
            options = [(o["id"], o["text"]) for o in question["options"]]
            if question.get("multiple"):
                return forms.MultipleChoiceField(
                    choices=options, required=False, widget=forms.CheckboxSelectMultiple
                )
            return forms.ChoiceField(choices=options, required=False, widget=forms.RadioSelect)
        if question["kind"] == "numeric":
            return forms.CharField(
                required=False,
                max_length=64,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )
        return forms.CharField(
            required=False,
            max_length=MAX_ANSWER_CHARS,
            validators=[readable_formula],
            widget=forms.TextInput(
                attrs={
                    "class": "formula",
                    "placeholder": "a formula in x, e.g. 2x cos(x^2)",
                    "autocomplete": "off",
                    "spellcheck": "false",
                }
            ),
        )

    def rows(self) -> list[QuestionRow]:
        return [
            QuestionRow(q, render_statement(q["prompt"], self.params), self[self.field_name(q)])
            for q in self.quiz.questions
        ]

    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for question in self.quiz.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if value not in (None, "", []):
                answers[question["id"]] = value
        return answers
