from __future__ import annotations

from typing import Any

from django import forms

from exercises.models import Exercise
from exercises.rendering import fill_params


class AnswerForm(forms.Form):
    """The answer box plus one field per choice/numeric part of the exercise."""

    answer = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        strip=False,
    )

    def __init__(
        self, *args: Any, exercise: Exercise, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.exercise = exercise
        if exercise.protocol == "none":
            del self.fields["answer"]
        elif exercise.protocol == "formula":
            self.fields["answer"].widget = forms.TextInput(
                attrs={
                    "placeholder": "e.g. 2*x*cos(x^2)",
                    "autocomplete": "off",
                    "spellcheck": "false",
                }
            )
        for part in exercise.parts:
            name = f"part_{part['id']}"
            label = fill_params(part["prompt"], params or {})
            if part["kind"] == "choice":
                options = [(o["id"], o["text"]) for o in part["options"]]
                if part.get("multiple"):
                    self.fields[name] = forms.MultipleChoiceField(
                        label=label,
                        choices=options,
                        required=False,
                        widget=forms.CheckboxSelectMultiple,
                    )
                else:
                    self.fields[name] = forms.ChoiceField(
                        label=label, choices=options, required=False, widget=forms.RadioSelect
                    )
            else:
                self.fields[name] = forms.CharField(label=label, required=False, max_length=64)

    def part_answers(self) -> dict[str, Any]:
        answers = {}
        for part in self.exercise.parts:
            value = self.cleaned_data.get(f"part_{part['id']}")
            if value not in (None, "", []):
                answers[part["id"]] = value
        return answers
