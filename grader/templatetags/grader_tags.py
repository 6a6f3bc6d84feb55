from __future__ import annotations

from typing import Any

from django import template

from exercises.rendering import latex_to_mathml
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
