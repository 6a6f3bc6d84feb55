from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from exercises.rendering import latex_to_mathml
from grader.hints import HintCost, attempt_hint_cost
from grader.models import Submission
from grader.sandbox.formula import FormulaError, parse
from grader.selectors import results_for_student

register = template.Library()


@register.simple_tag
def submission_results(submission: Submission, results: dict[str, Any] | None) -> dict[str, Any]:
    """The student's view of the results, with the formula echo rendered as math.
    Parsing the stored reading again is pure (no evaluation)."""
    res = results if results is not None else results_for_student(submission)
    extra = dict(res.get("extra", {}))
    if extra.get("read_as"):
        try:
            extra["read_as_mathml"] = latex_to_mathml(parse(extra["read_as"]).to_latex())
        except FormulaError:
            extra["read_as_mathml"] = ""
    return {**res, "extra": extra}


@register.simple_tag
def hint_cost(submission: Submission) -> HintCost | None:
    """What the hints opened before this attempt took off its score (None: nothing)."""
    return attempt_hint_cost(submission)


@register.simple_tag
def age_ms(moment: datetime) -> int:
    """Milliseconds since ``moment`` by the server's clock: the page counts on from it,
    so a wrong clock on the student's computer does not matter."""
    return max(0, int((timezone.now() - moment).total_seconds() * 1000))


@register.simple_tag
def age_seconds(moment: datetime) -> int:
    return max(0, int((timezone.now() - moment).total_seconds()))


@register.filter
def ms_as_seconds(ms: float) -> str:
    """1234.5 → "1.2": how long grading took, as the card says it."""
    return f"{float(ms) / 1000:.1f}"


@register.simple_tag
def formula_preview(text: Any) -> str:
    """The preview of a formula already in the box (a saved draft), as the live preview
    would show it: a pure parse, never evaluated."""
    text = str(text or "").strip()
    context: dict[str, Any] = {"text": text}
    if text:
        try:
            expr = parse(text)
        except FormulaError as exc:
            context["error"] = str(exc)
        else:
            context["read_as"] = expr.to_text()
            context["mathml"] = latex_to_mathml(expr.to_latex())
    return render_to_string("exercises/quiz_formula_preview.html", context)
