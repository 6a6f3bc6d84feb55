from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from exercises.models import Exercise, Quiz, QuizAttempt
from grader.models import AuditLogEntry, Submission

from .console_selectors import QuizAttemptFilters, SubmissionFilters


class SubmissionFilterForm(forms.Form):
    """The console's submission filters, read from the query string."""

    exercise = forms.ModelChoiceField(
        queryset=Exercise.objects.only("id", "slug"), required=False, to_field_name="slug"
    )
    student = forms.CharField(required=False, max_length=150)
    status = forms.ChoiceField(
        choices=[("", "any status"), *Submission.Status.choices], required=False
    )
    submitted_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    submitted_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    score_min = forms.FloatField(required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    score_max = forms.FloatField(required=False, widget=forms.NumberInput(attrs={"step": "any"}))
    misconception = forms.CharField(required=False, max_length=80)
    overridden = forms.BooleanField(required=False, label="only overridden")

    def filters(self) -> SubmissionFilters:
        """The filters of a bound form; invalid fields are left out, not fatal."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}

        def day(value: Any, *, plus: int = 0) -> datetime | None:
            if not value:
                return None
            start = datetime.combine(value, time.min) + timedelta(days=plus)
            return timezone.make_aware(start)

        exercise = data.get("exercise")
        return SubmissionFilters(
            exercise_id=exercise.pk if exercise else None,
            student=(data.get("student") or "").strip(),
            status=data.get("status") or "",
            submitted_from=day(data.get("submitted_from")),
            # The "to" date is inclusive: everything before the next midnight.
            submitted_to=day(data.get("submitted_to"), plus=1),
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            misconception=(data.get("misconception") or "").strip(),
            overridden=bool(data.get("overridden")),
        )


class OverrideForm(forms.Form):
    score = forms.FloatField(min_value=0, widget=forms.NumberInput(attrs={"step": "any"}))
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), strip=True,
        help_text="Required; it goes into the audit log with your name.",
    )  # fmt: skip

    def __init__(self, *args: Any, max_score: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["score"]
        field.validators.append(MaxValueValidator(max_score))
        field.widget.attrs["max"] = f"{max_score:g}"
        field.help_text = f"Between 0 and {max_score:g}."


def _item(ref: str) -> Exercise | Quiz | None:
    """An exercise or quiz named as "exercise:<slug>" or "quiz:<slug>"."""
    kind, _, slug = ref.partition(":")
    if kind == "exercise":
        return Exercise.objects.filter(slug=slug).first()
    if kind == "quiz":
        return Quiz.objects.filter(slug=slug).first()
    return None


class ExtensionForm(forms.Form):
    """A later due date (an exercise) or closing time (a quiz) for one student."""

    item = forms.ChoiceField(label="Exercise or quiz")
    due_at = forms.DateTimeField(
        label="New due date or closing time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), strip=True,
        help_text="Required; it goes into the audit log with your name.",
    )  # fmt: skip

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        """`items`: (ref, title) of each exercise with a due date and quiz with a
        closing time, which the page already has (the student's standing): the choices
        cost no query."""
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items  # type: ignore[attr-defined]

    def clean_item(self) -> Exercise | Quiz:
        item = _item(self.cleaned_data["item"])
        if item is None:
            raise forms.ValidationError("No such exercise or quiz.")
        return item


class ExtensionRemoveForm(forms.Form):
    item = forms.CharField(max_length=100)
    reason = forms.CharField(max_length=2000, strip=True)

    def clean_item(self) -> Exercise | Quiz:
        item = _item(self.cleaned_data["item"])
        if item is None:
            raise forms.ValidationError("No such exercise or quiz.")
        return item


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RegradeForm(forms.Form):
    """What to regrade: the ticked submissions, or every submission to an exercise."""

    submissions = forms.ModelMultipleChoiceField(
        queryset=Submission.objects.only("id"), required=False
    )
    exercise = forms.ModelChoiceField(
        queryset=Exercise.objects.only("id", "slug"), required=False, to_field_name="slug"
    )
    reason = forms.CharField(max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_subs = bool(data.get("submissions"))
        if has_subs == bool(data.get("exercise")):
            raise forms.ValidationError("Choose either some submissions or one exercise.")
        return data


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("", "any action"), *AuditLogEntry.Action.choices], required=False
    )


class QuizAttemptFilterForm(forms.Form):
    """The console's quiz attempt filters, read from the query string."""

    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.only("id", "slug"), required=False, to_field_name="slug"
    )
    student = forms.CharField(required=False, max_length=150)
    status = forms.ChoiceField(
        choices=[("", "any status"), *QuizAttempt.Status.choices], required=False
    )

    def filters(self) -> QuizAttemptFilters:
        """The filters of a bound form; invalid fields are left out, not fatal."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        quiz = data.get("quiz")
        return QuizAttemptFilters(
            quiz_slug=quiz.slug if quiz else "",
            student=(data.get("student") or "").strip(),
            status=data.get("status") or "",
        )
