"""Reads about quizzes for the student pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from exercises.models import Exercise, Quiz, QuizAttempt
from exercises.rendering import latex_to_mathml

from . import notify
from .deadlines import after_due_release_at, closes_at_for, quiz_window_open
from .models import DueExtension
from .sandbox.formula import FormulaError, parse


def quizzes_active() -> QuerySet[Quiz]:
    return Quiz.objects.filter(is_active=True)


@dataclass
class QuizStanding:
    """A student's position on one quiz: their attempts and the score kept."""

    quiz: Quiz
    attempts: list[QuizAttempt] = field(default_factory=list)
    closes_at: datetime | None = None  # for this student: the quiz's, or their extension

    @property
    def extended(self) -> bool:
        return self.closes_at != self.quiz.closes_at

    @property
    def is_open(self) -> bool:
        return quiz_window_open(self.quiz, self.closes_at, timezone.now())

    @property
    def graded(self) -> list[QuizAttempt]:
        return [a for a in self.attempts if a.status == QuizAttempt.Status.GRADED]

    @property
    def in_progress(self) -> QuizAttempt | None:
        return next((a for a in self.attempts if a.is_open), None)

    @property
    def kept(self) -> QuizAttempt | None:
        """The attempt whose score counts, by the quiz's score policy."""
        graded = self.graded
        if not graded:
            return None
        if self.quiz.score_policy == Exercise.ScorePolicy.LATEST:
            return max(graded, key=lambda a: (a.number, a.pk))
        return max(graded, key=lambda a: (a.score or 0.0, -a.number))

    @property
    def attempts_left(self) -> int | None:
        if self.quiz.attempt_limit is None:
            return None
        return max(0, self.quiz.attempt_limit - len(self.attempts))

    @property
    def can_start(self) -> bool:
        return self.is_open and self.attempts_left != 0 and self.in_progress is None

    @property
    def why_not(self) -> str:
        """Why a new attempt cannot be started ("" if it can)."""
        now = timezone.now()
        if self.in_progress is not None:
            return ""
        if self.quiz.opens_at and now < self.quiz.opens_at:
            return "This quiz opens later."
        if self.closes_at and now >= self.closes_at:
            return "This quiz is closed."
        if self.attempts_left == 0:
            return f"You have used all {self.quiz.attempt_limit} attempts."
        return ""


def quiz_standing(*, student: User, quiz: Quiz) -> QuizStanding:
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, student=student).order_by("number"))
    closes = closes_at_for(student_id=student.pk, quiz=quiz)
    return QuizStanding(quiz=quiz, attempts=attempts, closes_at=closes)


def quiz_standings(*, student: User) -> list[QuizStanding]:
    quizzes = list(quizzes_active())
    by_quiz: dict[int, list[QuizAttempt]] = {q.pk: [] for q in quizzes}
    for attempt in QuizAttempt.objects.filter(student=student, quiz__in=quizzes).order_by("number"):
        by_quiz[attempt.quiz_id].append(attempt)
    extended: dict[int, datetime] = {}
    if any(q.closes_at for q in quizzes):
        extended = dict(
            DueExtension.objects.filter(student=student, quiz__in=quizzes).values_list(
                "quiz_id", "due_at"
            )
        )
    return [
        QuizStanding(
            quiz=q,
            attempts=by_quiz[q.pk],
            closes_at=extended.get(q.pk) or q.closes_at if q.closes_at else None,
        )
        for q in quizzes
    ]


def _read_as_mathml(text: str) -> str:
    try:
        return latex_to_mathml(parse(text).to_latex())
    except FormulaError:
        return ""


def quiz_results_for_student(attempt: QuizAttempt) -> dict[str, Any]:
    """The results a student may see: hidden questions say only right/wrong, and
    after-due-date ones stay hidden until the quiz closes. A formula's reading is
    rendered as math (parsing the stored reading again is pure, no evaluation)."""
    results = dict(attempt.results or {})
    release = (
        after_due_release_at(attempt.quiz)
        if any(t.get("visibility") == "after_due_date" for t in results.get("tests", []))
        else None
    )
    shown_after_due = release is not None and timezone.now() > release
    tests = []
    for test in results.get("tests", []):
        visibility = test.get("visibility", "visible")
        test = {k: v for k, v in test.items() if k != "checked"}
        if visibility == "hidden" or (visibility == "after_due_date" and not shown_after_due):
            test = {**test, "output": "", "misconception": "", "hidden": True}
        if test.get("read_as"):
            test["read_as_mathml"] = _read_as_mathml(test["read_as"])
        tests.append(test)
    results["tests"] = tests
    extra = dict(results.get("extra", {}))
    extra.pop("params", None)
    extra.pop("timings", None)
    results["extra"] = extra
    return results


# An attempt a worker has yet to grade.
PENDING_STATUSES = (QuizAttempt.Status.SUBMITTED, QuizAttempt.Status.RUNNING)


def quiz_attempt_wait_final(attempt: QuizAttempt, wait: float) -> QuizAttempt:
    """``attempt`` read again as soon as a worker has graded it (or failed to), or as it
    is after ``wait`` seconds: the long poll of grader/notify.py, keyed by the attempt."""
    again = QuizAttempt.objects.filter(pk=attempt.pk).select_related("quiz")
    final = again.exclude(status__in=PENDING_STATUSES)
    return notify.wait_until(notify.quiz_key(attempt.pk), final.first, wait) or again.get()
