"""Code answers: Python using torch, run only in the sandbox (`call` protocol: the
answer defines functions the checks call; `script`: the answer runs top to bottom and
named values are read after it).

At intake the code is parsed (`ast.parse`, never executed), so a syntax error is named
with its line before anything is stored; a "by hand" exercise also refuses plain uses
of autograd there (grader/integrity.py, the same check the worker makes). The widget is
the code editor (static/js/editor.js)."""

from __future__ import annotations

import ast
from typing import Any

from django import forms

from .. import integrity
from .base import AnswerRejected, check_text
from .sandboxed import SandboxKind


class Code(SandboxKind):
    name = "code"
    template = "answers/code.html"
    label = "Your code"
    protocols = ("call", "script")

    def field(self, item: dict[str, Any], *, label: str = "") -> forms.Field:
        return forms.CharField(
            label=label,
            required=False,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "code"}),
        )

    def intake(self, item: dict[str, Any], answer: Any) -> Any:
        text = check_text(answer)
        if not text.strip():
            raise AnswerRejected("The answer is empty.")
        try:
            ast.parse(text)
        except SyntaxError as exc:
            raise AnswerRejected(
                f"SyntaxError on line {exc.lineno}: {exc.msg}. Fix it and submit again.",
                line=exc.lineno,
            ) from exc
        except (ValueError, MemoryError, RecursionError) as exc:
            raise AnswerRejected("The code could not be parsed (too deeply nested?).") from exc
        if item.get("by_hand"):
            # The same check as the worker's (grading.grade_answer), said at once.
            refused = integrity.refusal(text)
            if refused:
                raise AnswerRejected(refused)
        return text


KIND = Code()
