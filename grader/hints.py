"""The hint ladder of an exercise, for one student: which hints are open, opening them
(after failed attempts, or on request), and what they cost.

Hint k opens by itself once the student has k failed graded attempts (a score short of
full marks; an answer we could not grade is not the student's failure). The student may
also ask for the next hint at any time. Hints open in order, and an opened hint stays
open. With the exercise's `hint_penalty` p, a graded attempt submitted after n hints were
opened keeps (1 - p·n) of its score, never less than 0 (`attempt_value`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Q

from exercises.models import Exercise
from exercises.rendering import render_page
from exercises.spec import SOLVED_EPSILON

from .models import HintUnlock, Submission


@dataclass(frozen=True)
class HintRow:
    number: int
    html: str  # empty while the hint is closed: a closed hint's text never reaches the page
    unlock: HintUnlock | None

    @property
    def is_open(self) -> bool:
        return self.unlock is not None


@dataclass(frozen=True)
class HintLadder:
    rows: list[HintRow]
    penalty: float
    failed_attempts: int

    @property
    def next_closed(self) -> int | None:
        """The number of the hint the request button opens (None: all are open)."""
        return next((r.number for r in self.rows if not r.is_open), None)


def _failed_attempts(*, student_id: int, exercise: Exercise) -> int:
    return (
        Submission.objects.filter(
            student_id=student_id, exercise=exercise, status=Submission.Status.GRADED
        )
        .filter(Q(score__isnull=True) | Q(score__lt=exercise.max_score - SOLVED_EPSILON))
        .count()
    )


def hint_ladder(*, student: User, exercise: Exercise) -> HintLadder:
    unlocks = {u.number: u for u in HintUnlock.objects.filter(student=student, exercise=exercise)}
    rows = [
        HintRow(
            number=n,
            html=render_page(text) if n in unlocks else "",
            unlock=unlocks.get(n),
        )
        for n, text in enumerate(exercise.hints, start=1)
    ]
    return HintLadder(
        rows=rows,
        penalty=exercise.hint_penalty,
        failed_attempts=_failed_attempts(student_id=student.pk, exercise=exercise),
    )


def _open_up_to(*, student_id: int, exercise: Exercise, upto: int, how: str) -> list[int]:
    """Open hints 1..upto that are still closed; returns the numbers opened now. Two
    requests racing for the same hint open it once (the unique constraint decides)."""
    upto = min(upto, len(exercise.hints))
    open_numbers = set(
        HintUnlock.objects.filter(student_id=student_id, exercise=exercise).values_list(
            "number", flat=True
        )
    )
    new = [n for n in range(1, upto + 1) if n not in open_numbers]
    HintUnlock.objects.bulk_create(
        [HintUnlock(student_id=student_id, exercise=exercise, number=n, how=how) for n in new],
        ignore_conflicts=True,
    )
    return new


def hints_unlock_after_failures(*, student_id: int, exercise: Exercise) -> list[int]:
    """Open hint k for each of the student's k failed graded attempts; called when an
    attempt is graded."""
    failed = _failed_attempts(student_id=student_id, exercise=exercise)
    return _open_up_to(
        student_id=student_id, exercise=exercise, upto=failed, how=HintUnlock.How.AFTER_FAILURES
    )


def hint_request(*, student: User, exercise: Exercise) -> int | None:
    """Open the next closed hint at the student's request; its number, or None when
    every hint is already open."""
    ladder = hint_ladder(student=student, exercise=exercise)
    if ladder.next_closed is None:
        return None
    _open_up_to(
        student_id=student.pk,
        exercise=exercise,
        upto=ladder.next_closed,
        how=HintUnlock.How.REQUESTED,
    )
    return ladder.next_closed


def hint_unlock_times(*, student_id: int, exercise: Exercise) -> list[datetime]:
    """When each of the student's hints was opened (for the penalty); no query when
    hints cost nothing."""
    if not exercise.hint_penalty:
        return []
    return list(
        HintUnlock.objects.filter(student_id=student_id, exercise=exercise).values_list(
            "unlocked_at", flat=True
        )
    )


@dataclass(frozen=True)
class HintCost:
    """What the hints opened before one graded attempt took off its score."""

    opened: int
    penalty: float
    value: float  # what the attempt counts for


def attempt_hint_cost(submission: Submission) -> HintCost | None:
    """The hint cost of a graded attempt, for its result card; None when hints cost
    nothing, the attempt has no score, or no hint was open when it was submitted."""
    exercise = submission.exercise
    if submission.score is None or not exercise.hint_penalty:
        return None
    unlocked = hint_unlock_times(student_id=submission.student_id, exercise=exercise)
    opened = _opened_before(unlocked, submission.submitted_at)
    if not opened:
        return None
    value = _paid(submission.score, penalty=exercise.hint_penalty, opened=opened)
    return HintCost(opened=opened, penalty=exercise.hint_penalty, value=value)


def _opened_before(unlocked: list[datetime], at: datetime) -> int:
    return sum(1 for moment in unlocked if moment < at)


def _paid(score: float, *, penalty: float, opened: int) -> float:
    return round(max(0.0, score * (1.0 - penalty * opened)), 6)


def attempt_value(
    score: float, *, submitted_at: datetime, penalty: float, unlocked: list[datetime]
) -> float:
    """What a graded attempt's score is worth once the hints opened before it are paid."""
    if not penalty:
        return score
    return _paid(score, penalty=penalty, opened=_opened_before(unlocked, submitted_at))
