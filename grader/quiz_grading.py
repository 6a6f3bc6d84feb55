"""Grading one quiz attempt: the pure pipeline, no database.

Choice and numeric questions are data and are graded here, in the trusted process,
by the same code as an exercise's parts. A formula question is graded by
`grade_answer` on its one-check formula spec, so the student's formula is evaluated
only in the sandbox (`formula` protocol) and compared at seeded points with torch
autograd. A formula that does not parse is marked here without a sandbox run (the
parser is pure: it reads, it never evaluates)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from exercises.quiz import QuizSpec
from exercises.spec import full_marks

from .grading import grade_answer
from .parts import grade_part, reference_answers
from .sandbox.formula import FormulaError, parse

MAX_FORMULA_CHARS = 500


@dataclass
class QuizOutcome:
    score: float
    max_score: float
    results: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)


def _result(question: dict[str, Any], score: float, output: str, **extra: Any) -> dict[str, Any]:
    max_score = float(question["max_score"])
    return {
        "name": question.get("name", question["id"]),
        "question": question["id"],
        "section": question["section"],
        "score": score,
        "max_score": max_score,
        "status": "passed" if full_marks(score, max_score) else "failed",
        "output": output,
        "visibility": question.get("visibility", "visible"),
        **extra,
    }


def _grade_formula(
    spec: QuizSpec,
    question: dict[str, Any],
    answer: Any,
    *,
    seed: int,
    attempt: int,
) -> dict[str, Any]:
    text = answer.strip() if isinstance(answer, str) else ""
    if not text:
        return _result(question, 0.0, "No answer.")
    if len(text) > MAX_FORMULA_CHARS:
        return _result(question, 0.0, f"The formula is longer than {MAX_FORMULA_CHARS} characters.")
    try:
        parse(text)
    except FormulaError as exc:
        return _result(question, 0.0, f"Could not read the formula: {exc}")
    outcome = grade_answer(
        spec.formulas[question["id"]],
        answer=text,
        seed=seed,
        attempt=attempt,
    )
    check = outcome.results["tests"][0]
    misconception = outcome.results["extra"].get("misconception")
    if check["status"] == "passed":
        output = "Correct."
    else:  # the misconception's message, or what the comparison (or the sandbox) said
        output = misconception["message"] if misconception else check["output"]
    return _result(
        question,
        float(outcome.score),
        output,
        read_as=outcome.results["extra"].get("read_as", ""),
        misconception=misconception["name"] if misconception else "",
        checked=check["output"],
    )


def grade_quiz(
    spec: QuizSpec,
    *,
    answers: dict[str, Any],
    seed: int,
    attempt: int = 1,
) -> QuizOutcome:
    """Grade every question of `spec` for the variant `seed`; unanswered questions score 0."""
    started = time.perf_counter()
    params = spec.params(seed)
    tests = []
    for question in spec.questions:
        answer = answers.get(question["id"])
        if question["kind"] == "formula":
            tests.append(_grade_formula(spec, question, answer, seed=seed, attempt=attempt))
            continue
        part = grade_part(question, answer, params)
        tests.append(_result(question, float(part["score"]), part["output"]))
    score = round(sum(t["score"] for t in tests), 6)
    right = sum(t["status"] == "passed" for t in tests)
    results = {
        "score": score,
        "max_score": spec.max_score,
        "output": f"{right} of {len(tests)} questions right.",
        "tests": tests,
        "extra": {
            "params": params,
            "hidden_checks": sum(t["visibility"] != "visible" for t in tests),
        },
    }
    timings = {"grade_ms": round((time.perf_counter() - started) * 1000, 2)}
    return QuizOutcome(score=score, max_score=spec.max_score, results=results, timings=timings)


def reference_quiz_answers(spec: QuizSpec, params: dict[str, Any]) -> dict[str, Any]:
    """Answers that get every question right (for checkcourse and tests)."""
    answers = reference_answers([q for q in spec.questions if q["kind"] != "formula"], params)
    answers.update({q["id"]: q["solution"] for q in spec.questions if q["kind"] == "formula"})
    return answers
