"""Checks on an answer before it is accepted: size, encoding, and that it parses.

Parsing is not running: a formula is read by the sandbox package's pure parser (no
eval), code by `ast.parse` (no exec). Both run here, in the web process, so a student
gets "line 3: invalid syntax" at once instead of a graded zero later."""

from __future__ import annotations

import ast
from typing import Any

from django.conf import settings

from exercises.models import Exercise

from . import integrity
from .sandbox.formula import FormulaError, parse


class AnswerRejected(Exception):
    """An answer we will not accept; the message is shown to the student as is."""

    def __init__(self, message: str, *, status: int = 400, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.line = line  # the answer's line at fault, which the code editor marks


def check_text(answer: Any, *, what: str = "answer") -> str:
    if not isinstance(answer, str):
        raise AnswerRejected(f"The {what} must be text.")
    if "\x00" in answer:
        raise AnswerRejected(f"The {what} contains a NUL byte; remove it and submit again.")
    size = len(answer.encode("utf-8", errors="surrogatepass"))
    limit = settings.GRADER_MAX_ANSWER_BYTES
    if size > limit:
        raise AnswerRejected(
            f"The {what} is {size:,} bytes; the limit is {limit:,} bytes.", status=413
        )
    try:
        answer.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnswerRejected(f"The {what} is not valid UTF-8 text.") from exc
    return answer


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
        values = value if isinstance(value, list) else [value]
        for v in values:
            check_text(v if isinstance(v, str) else str(v), what=f"answer to part {key!r}")
    if exercise.protocol != "none":
        if not answer.strip():
            raise AnswerRejected("The answer is empty.")
        if exercise.protocol == "formula":
            try:
                parse(answer)
            except FormulaError as exc:
                raise AnswerRejected(f"Could not read the formula: {exc}") from exc
        else:
            try:
                ast.parse(answer)
            except SyntaxError as exc:
                raise AnswerRejected(
                    f"SyntaxError on line {exc.lineno}: {exc.msg}. Fix it and submit again.",
                    line=exc.lineno,
                ) from exc
            except (ValueError, MemoryError, RecursionError) as exc:
                raise AnswerRejected("The code could not be parsed (too deeply nested?).") from exc
            if exercise.by_hand:
                # The same check as the worker's (grading.grade_answer), said at once.
                refused = integrity.refusal(answer)
                if refused:
                    raise AnswerRejected(refused)
    elif not parts:
        raise AnswerRejected("The answer is empty: choose or type an answer to each part.")
    return answer, parts
