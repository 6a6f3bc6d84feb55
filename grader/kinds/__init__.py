"""The answer kinds: one module each, owning everything that differs between them.

=========  ==========================  =====================================  =====================
kind       intake (web, before store)  graded by                              widget
=========  ==========================  =====================================  =====================
formula    the pure formula parser     sandbox `formula` protocol, at points  text + live reading
code       ast.parse, integrity scan   sandbox `call`/`script`, the checks    code editor
numeric    a finite number             trusted process, tolerance             number input
choice     known option ids            trusted process, partial credit        radios / checkboxes
order      known step ids, each once   trusted process, longest right prefix  one select per place
=========  ==========================  =====================================  =====================

An exercise's main answer box has the kind of its protocol (`formula` → formula, `call`
and `script` → code); its parts and a quiz's questions name their kind. Adding a kind is
one module here (a subclass of `AnswerKind` with `KIND = ...`, listed in `_MODULES`) and
its widget template under templates/answers/; docs/authoring.md walks through one.

The course loader (exercises/course.py) sits below this package and cannot import it;
`register_with_course` (called when the grader app loads) gives it each kind's name,
whether it runs in the sandbox, the check of its own keys in a content file, and which
keys the pages may see."""

from __future__ import annotations

from typing import Any

from exercises import course

from . import choice, code, formula, numeric, order
from .base import AnswerKind, AnswerRejected, ItemContext, check_text

_MODULES = (formula, code, numeric, choice, order)
KINDS: dict[str, AnswerKind] = {m.KIND.name: m.KIND for m in _MODULES}


def kind(name: str) -> AnswerKind:
    return KINDS[name]


def for_protocol(protocol: str) -> AnswerKind | None:
    """The kind of an exercise's main answer, by its sandbox protocol (None: parts only)."""
    return next((k for k in KINDS.values() if protocol in k.protocols), None)


def main_item(spec: Any) -> dict[str, Any]:
    """An exercise's main answer box as an item (an ExerciseSpec or an Exercise row)."""
    return {"id": "answer", "max_score": 0, "by_hand": spec.by_hand}


def reference_answers(items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """Answers that get every part or question right, each by its kind."""
    return {i["id"]: kind(i["kind"]).reference(i, params) for i in items}


def register_with_course() -> None:
    for answer_kind in KINDS.values():
        course.register_item_kind(
            answer_kind.name,
            course.ItemKind(
                schema_problem=answer_kind.schema_problem,
                public=answer_kind.public,
                sandboxed=answer_kind.sandboxed,
            ),
        )


__all__ = [
    "KINDS",
    "AnswerKind",
    "AnswerRejected",
    "ItemContext",
    "check_text",
    "for_protocol",
    "kind",
    "main_item",
    "reference_answers",
    "register_with_course",
]
