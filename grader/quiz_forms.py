from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from exercises.models import Quiz
from exercises.rendering import render_statement

from . import kinds


@dataclass
class QuestionRow:
    """One question as the page shows it: its prompt (rendered, with the student's own
    numbers), its answer kind (the widget) and its form field."""

    question: dict[str, Any]
    prompt_html: str
    field: forms.BoundField
    kind: kinds.AnswerKind


class QuizForm(forms.Form):
    """One field per question, each its kind's field, all optional: an unanswered
    question scores 0."""

    def __init__(self, *args: Any, quiz: Quiz, params: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quiz = quiz
        self.params = params
        for question in quiz.questions:
            self.fields[self.field_name(question)] = kinds.kind(question["kind"]).field(question)

    @staticmethod
    def field_name(question: dict[str, Any]) -> str:
        return f"q_{question['id']}"

    def rows(self) -> list[QuestionRow]:
        return [
            QuestionRow(
                q,
                render_statement(q["prompt"], self.params),
                self[self.field_name(q)],
                kinds.kind(q["kind"]),
            )
            for q in self.quiz.questions
        ]

    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for question in self.quiz.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if value not in (None, "", []):
                answers[question["id"]] = value
        return answers
