"""Checks on an answer before it is accepted: size, encoding, and that it can be read.

Each answer kind says what it accepts (grader/kinds/): a formula must parse (the pure
parser: no eval), code must parse (`ast.parse`: no exec), a number must be a number, a
choice must name the item's options. All of it runs here, in the web process, so a
student gets "line 3: invalid syntax" at once instead of a graded zero later."""

from __future__ import annotations

from typing import Any

from exercises.models import Exercise

from . import kinds
from .kinds import AnswerRejected, check_text

__all__ = ["AnswerRejected", "check_answer", "check_text"]


def check_answer(exercise: Exercise, answer: Any, parts: Any) -> tuple[str, dict[str, Any]]:
    """Validate an answer to `exercise`; return it normalised or raise AnswerRejected."""
    answer = check_text("" if answer is None else answer)
    if parts is None:
        parts = {}
    if not isinstance(parts, dict):
        raise AnswerRejected("'parts' must be an object of part id → answer.")
    known = {p["id"]: p for p in exercise.parts}
    for key, value in parts.items():
        if key not in known:
            raise AnswerRejected(f"Unknown part {key!r}.")
        kinds.kind(known[key]["kind"]).intake(known[key], value)
    main = kinds.for_protocol(exercise.protocol)
    if main is not None:
        answer = main.intake(kinds.main_item(exercise), answer)
    elif not parts:
        raise AnswerRejected("The answer is empty: choose or type an answer to each part.")
    return answer, parts
