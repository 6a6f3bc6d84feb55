"""Grading one quiz attempt: the pure pipeline, no database.

Every question is graded by its answer kind (grader/kinds/): choice and numeric
questions are data, graded here in the trusted process by the same code as an
exercise's parts; a formula question is graded by `grade_answer` on its one-check
formula spec, so the student's formula is evaluated only in the sandbox (`formula`
protocol) and compared at seeded points with torch autograd. A formula that does not
parse is marked without a sandbox run (the parser is pure: it reads, it never
evaluates)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from exercises.course import ExerciseSpec
from exercises.quiz import QuizSpec

from . import kinds
from .grading import grade_answer
from .results import Outcome, results_json, total


def _run(spec: ExerciseSpec, answer: str, *, seed: int, attempt: int) -> Outcome:
    return grade_answer(spec, answer=answer, seed=seed, attempt=attempt)


def grade_quiz(
    spec: QuizSpec,
    *,
    answers: dict[str, Any],
    seed: int,
    attempt: int = 1,
) -> Outcome:
    """Grade every question of `spec` for the variant `seed`; unanswered questions score 0."""
    started = time.perf_counter()
    params = spec.params(seed)
    sandboxed = any(kinds.kind(q["kind"]).sandboxed for q in spec.questions)
    ctx = kinds.ItemContext(
        params,
        specs=spec.formulas if sandboxed else {},
        run=partial(_run, seed=seed, attempt=attempt),
    )
    tests = [kinds.kind(q["kind"]).grade(q, answers.get(q["id"]), ctx) for q in spec.questions]
    right = sum(t.passed for t in tests)
    extra = {
        "params": params,
        "hidden_checks": sum(t.visibility != "visible" for t in tests),
    }
    results = results_json(
        tests,
        max_score=spec.max_score,
        output=f"{right} of {len(tests)} questions right.",
        extra=extra,
    )
    timings = {"grade_ms": round((time.perf_counter() - started) * 1000, 2)}
    return Outcome(score=total(tests), max_score=spec.max_score, results=results, timings=timings)


def reference_quiz_answers(spec: QuizSpec, params: dict[str, Any]) -> dict[str, Any]:
    """Answers that get every question right (for checkcourse and tests)."""
    return kinds.reference_answers(spec.questions, params)
