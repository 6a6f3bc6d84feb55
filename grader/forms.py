from __future__ import annotations

from typing import Any

from django import forms

from exercises.models import Exercise
from exercises.rendering import fill_params

from . import kinds


class AnswerForm(forms.Form):
    """The main answer box (its kind's field) plus one field per part of the exercise."""

    def __init__(
        self, *args: Any, exercise: Exercise, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        self.main_kind = kinds.for_protocol(exercise.protocol)
        self.main_item = kinds.main_item(exercise)
        if self.main_kind is not None:
            self.fields["answer"] = self.main_kind.field(self.main_item, label=self.main_kind.label)
        self.part_kinds: list[tuple[dict[str, Any], kinds.AnswerKind]] = []
        for part in exercise.parts:
            part_kind = kinds.kind(part["kind"])
            self.fields[f"part_{part['id']}"] = part_kind.field(
                part, label=fill_params(part["prompt"], params or {})
            )
            self.part_kinds.append((part, part_kind))

    def part_rows(self) -> list[tuple[dict[str, Any], kinds.AnswerKind, forms.BoundField]]:
        """(part, its kind, its bound field), in the exercise's order."""
        return [(p, k, self[f"part_{p['id']}"]) for p, k in self.part_kinds]

    def part_answers(self) -> dict[str, Any]:
        answers = {}
        for part in self.exercise.parts:
            value = self.cleaned_data.get(f"part_{part['id']}")
            if value not in (None, "", []):
                answers[part["id"]] = value
        return answers
