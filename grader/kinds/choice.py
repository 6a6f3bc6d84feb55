"""Choice answers: one option (radio buttons) or several (`"multiple": true`, checkboxes).

Plain data, graded in the trusted process. A multiple choice earns partial credit: each
right option chosen counts for, each wrong one against (never below 0), and the feedback
names the options left out and the ones wrongly chosen."""

from __future__ import annotations

from typing import Any

from django import forms

from ..results import CheckResult
from .base import AnswerKind, AnswerRejected, ItemContext, check_text, result, where


def _chosen(answer: Any) -> list[str]:
    values = answer if isinstance(answer, list) else ([answer] if answer else [])
    return [v for v in values if isinstance(v, str)]


class Choice(AnswerKind):
    name = "choice"
    template = "answers/choice.html"
    label = ""

    def schema_problem(self, item: dict[str, Any]) -> str:
        ids = [o.get("id") for o in item.get("options", []) if isinstance(o, dict)]
        if len(ids) < 2 or not all(isinstance(x, str) for x in ids):
            return "a choice needs at least two options with ids"
        correct = item.get("correct")
        if not isinstance(correct, list) or not correct or not set(correct) <= set(ids):
            return "'correct' must list option ids"
        return ""

    def field(self, item: dict[str, Any], *, label: str = "") -> forms.Field:
        options = [(o["id"], o["text"]) for o in item["options"]]
        if item.get("multiple"):
            return forms.MultipleChoiceField(
                label=label, choices=options, required=False, widget=forms.CheckboxSelectMultiple
            )
        return forms.ChoiceField(
            label=label, choices=options, required=False, widget=forms.RadioSelect
        )

    def intake(self, item: dict[str, Any], answer: Any) -> Any:
        ids = {o["id"] for o in item["options"]}
        for value in answer if isinstance(answer, list) else [answer]:
            text = check_text(value if isinstance(value, str) else str(value))
            if text not in ids:
                raise AnswerRejected(f"{where(item).capitalize()} has no option {text!r}.")
        return answer

    def grade(self, item: dict[str, Any], answer: Any, ctx: ItemContext) -> CheckResult:
        chosen = set(_chosen(answer))
        correct = set(item["correct"])
        max_score = float(item["max_score"])
        if chosen == correct:
            return result(item, max_score, "Correct.")
        if not chosen:
            return result(item, 0.0, "No option was chosen.")
        texts = {o["id"]: o["text"] for o in item["options"]}
        feedback = item.get("feedback", {})
        wrong = sorted(chosen - correct)
        sentences = [
            f"“{texts.get(w, w)}” is not right: {feedback[w]}"
            if w in feedback
            else f"“{texts.get(w, w)}” is not right."
            for w in wrong
        ]
        score = 0.0
        if item.get("multiple"):
            missed = [texts[c] for c in item["correct"] if c not in chosen]
            if missed:
                sentences.append("You left out " + ", ".join(f"“{m}”" for m in missed) + ".")
            hits = len(chosen & correct) - len(wrong)
            score = round(max_score * max(0, hits) / len(correct), 6)
        return result(item, score, " ".join(sentences))

    def reference(self, item: dict[str, Any], params: dict[str, Any]) -> Any:
        return list(item["correct"]) if item.get("multiple") else item["correct"][0]

    def problems(self, item: dict[str, Any], params: dict[str, Any]) -> list[str]:
        problems = super().problems(item, params)
        ids = {o["id"] for o in item["options"]}
        if len(item["correct"]) > 1 and not item.get("multiple"):
            problems.append(f'{where(item)}: several correct options need "multiple": true')
        for option in item.get("feedback", {}):
            if option not in ids:
                problems.append(f"{where(item)}: feedback for unknown option {option!r}")
            elif option in item["correct"]:
                problems.append(
                    f"{where(item)}: feedback is for wrong options; {option!r} is correct"
                )
        return problems

    def shown(self, item: dict[str, Any], answer: Any) -> str:
        texts = {o["id"]: o["text"] for o in item["options"]}
        return "; ".join(str(texts.get(c, c)) for c in _chosen(answer))


KIND = Choice()
