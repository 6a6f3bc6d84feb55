"""Reads for item analysis: every student's kept answer to each exercise part, check
and quiz question, next to their course total (grader.standing), turned into
difficulty, discrimination and the answers given most (dashboard.item_analysis).

A fixed number of queries per page whatever the number of students: one for the
course totals, one for the kept answers."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F

from exercises.models import Exercise, Quiz, QuizAttempt
from grader.quiz_selectors import QuizStanding
from grader.standing import course_items, standing_values

from .item_analysis import ItemStats, Response, item_stats
from .selectors import students

ANSWER_CHARS = 60


def course_totals() -> dict[int, float]:
    """Every student's course total, by the one definition (grader.standing)."""
    rows = standing_values(students(), course_items())
    return {row["id"]: float(row["total"] or 0.0) for row in rows.iterator(chunk_size=2000)}


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= ANSWER_CHARS else text[: ANSWER_CHARS - 1] + "…"


def _choice_text(question: dict[str, Any], value: Any) -> str:
    texts = {o["id"]: o["text"] for o in question.get("options", [])}
    chosen = value if isinstance(value, list) else [value]
    return "; ".join(_short(str(texts.get(c, c))) for c in chosen if c not in (None, ""))


RIGHT = "(right answer)"


def _answer_text(question: dict[str, Any], value: Any, test: dict[str, Any]) -> str:
    """What a student answered, as the table shows it: a choice's option text, a
    formula as the grader read it. A number is counted by what it meant (right, the
    misconception it matched, or just wrong): most numeric answers depend on the
    student's own variant, so the numbers themselves would all differ."""
    if value in (None, "", []):
        return ""
    if question.get("kind") == "choice":
        return _choice_text(question, value)
    if question.get("kind") == "formula" and test.get("read_as"):
        return _short(str(test["read_as"]))
    if question.get("kind") == "numeric":
        if test.get("status") == "passed":
            return RIGHT
        # grade_part's output: "<value> is not right." then the misconception's message.
        why = str(test.get("output", "")).partition(" is not right.")[2].strip()
        return _short(f"wrong: {why}" if why else "wrong, no misconception recognised")
    return _short(str(value))


# --- Quizzes ---------------------------------------------------------------------------


def quiz_kept_attempts(*, quiz: Quiz) -> list[QuizAttempt]:
    """Each student's kept graded attempt (by the quiz's policy, as the course total
    counts it), one query."""
    by_student: dict[int, list[QuizAttempt]] = defaultdict(list)
    attempts = (
        QuizAttempt.objects.filter(
            quiz=quiz, status=QuizAttempt.Status.GRADED, student__in=students()
        )
        .only("id", "quiz_id", "student_id", "number", "status", "score", "answers", "results")
        .order_by("student_id", "number")
    )
    for attempt in attempts:
        by_student[attempt.student_id].append(attempt)
    kept = [QuizStanding(quiz=quiz, attempts=a).kept for a in by_student.values()]
    return [a for a in kept if a is not None]


def quiz_item_stats(
    *, quiz: Quiz, kept: list[QuizAttempt], totals: dict[int, float]
) -> list[ItemStats]:
    """One line per question, over the students' kept attempts."""
    responses: dict[str, list[Response]] = defaultdict(list)
    for attempt in kept:
        tests = {t.get("question"): t for t in (attempt.results or {}).get("tests", [])}
        for question in quiz.questions:
            test = tests.get(question["id"])
            if test is None:
                continue
            responses[question["id"]].append(
                Response(
                    score=float(test.get("score") or 0.0),
                    max_score=float(question["max_score"]),
                    answer=_answer_text(question, attempt.answers.get(question["id"]), test),
                    total=totals.get(attempt.student_id, 0.0),
                )
            )
    return [
        item_stats(
            key=q["id"],
            label=q.get("name") or q["id"],
            section=str(q.get("section", "")),
            kind=q["kind"],
            max_score=float(q["max_score"]),
            responses=responses[q["id"]],
        )
        for q in quiz.questions
    ]


# --- Exercises -------------------------------------------------------------------------


def _check_answer(exercise: Exercise, row: dict[str, Any], test: dict[str, Any]) -> str:
    """For a check (not a part): a formula as read, or for code what went wrong (the
    misconception named, or the check's own message); code answers are too long and
    too varied to count."""
    passed = test.get("status") == "passed"
    if exercise.kind == Exercise.Kind.FORMULA:
        read_as = (row["results"] or {}).get("extra", {}).get("read_as")
        return _short(str(read_as or row["answer"]))
    if passed:
        return "(passed)"
    if row["misconception"]:
        return f"misconception: {row['misconception']}"
    return _short(str(test.get("output") or "(failed)").split("\n")[0])


def exercise_item_stats(*, exercise: Exercise, totals: dict[int, float]) -> list[ItemStats]:
    """One line per check and part of the exercise, over each student's kept
    submission (the best or the latest by the exercise's policy, as its Score keeps)."""
    kept = (
        "latest_submission"
        if exercise.score_policy == Exercise.ScorePolicy.LATEST
        else "best_submission"
    )
    rows = (
        exercise.scores.filter(student__in=students(), **{f"{kept}__isnull": False})
        .values("student_id")
        .annotate(
            **{
                name: F(f"{kept}__{name}")
                for name in ("results", "parts", "answer", "misconception")
            }
        )
    )
    parts = {p["id"]: p for p in exercise.parts}
    order: list[str] = []
    meta: dict[str, tuple[str, str, float]] = {}
    responses: dict[str, list[Response]] = defaultdict(list)
    for row in rows.iterator(chunk_size=2000):
        for test in (row["results"] or {}).get("tests", []):
            part = parts.get(test.get("part", ""))
            key = f"part:{part['id']}" if part else f"check:{test.get('name', '')}"
            if key not in meta:
                order.append(key)
                meta[key] = (
                    str(test.get("name", key)),
                    part["kind"] if part else str(exercise.kind),
                    float(test.get("max_score") or 0.0),
                )
            if part:
                answer = _answer_text(part, (row["parts"] or {}).get(part["id"]), test)
            else:
                answer = _check_answer(exercise, row, test)
            responses[key].append(
                Response(
                    score=float(test.get("score") or 0.0),
                    max_score=float(test.get("max_score") or 0.0),
                    answer=answer,
                    total=totals.get(row["student_id"], 0.0),
                )
            )
    return [
        item_stats(
            key=key,
            label=meta[key][0],
            section=exercise.notes_section,
            kind=meta[key][1],
            max_score=meta[key][2],
            responses=responses[key],
        )
        for key in order
    ]
