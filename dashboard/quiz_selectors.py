"""Reads for a quiz's statistics page: attempts by state, scores kept, the
distribution, and the item analysis of every question. A fixed number of queries
whatever the number of students."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from exercises.models import Quiz, QuizAttempt
from exercises.spec import full_marks

from .item_analysis import ItemStats
from .item_selectors import course_totals, quiz_item_stats, quiz_kept_attempts
from .selectors import HISTOGRAM_BINS, Bucket, bucket_labels, students


@dataclass(frozen=True)
class QuizSummary:
    quiz: Quiz
    attempts: int
    students: int
    graded: int
    enrolled: int


@dataclass(frozen=True)
class QuizStats:
    quiz: Quiz
    attempts: int
    students: int
    in_progress: int
    pending: int  # submitted or running: waiting for a worker
    graded: int
    errored: int
    timed_out: int
    solved: int  # students whose kept attempt has full marks
    mean_score: float | None  # of the kept attempts
    distribution: list[Bucket]
    items: list[ItemStats]

    @property
    def solve_rate(self) -> float | None:
        return self.solved / self.students if self.students else None


def _attempt_counts(quiz: Quiz) -> dict[str, int]:
    status = QuizAttempt.Status
    return QuizAttempt.objects.filter(quiz=quiz, student__in=students()).aggregate(
        attempts=Count("id"),
        students=Count("student_id", distinct=True),
        in_progress=Count("id", filter=Q(status=status.IN_PROGRESS)),
        pending=Count("id", filter=Q(status__in=[status.SUBMITTED, status.RUNNING])),
        graded=Count("id", filter=Q(status=status.GRADED)),
        errored=Count("id", filter=Q(status=status.ERROR)),
        timed_out=Count("id", filter=Q(timed_out=True)),
    )


def _distribution(scores: list[float], max_score: float) -> list[Bucket]:
    """Students by kept score in tenths of the maximum, full marks on their own bar
    (the same buckets as an exercise's page)."""
    if max_score <= 0:
        return []
    counts = [0] * (HISTOGRAM_BINS + 1)
    for score in scores:
        if full_marks(score, max_score):
            counts[HISTOGRAM_BINS] += 1
        else:
            counts[min(HISTOGRAM_BINS - 1, int(score * HISTOGRAM_BINS / max_score))] += 1
    return [
        Bucket(label, n) for label, n in zip(bucket_labels(HISTOGRAM_BINS), counts, strict=True)
    ]


def quiz_stats(*, quiz: Quiz) -> QuizStats:
    counts = _attempt_counts(quiz)
    kept = quiz_kept_attempts(quiz=quiz)
    scores = [a.score or 0.0 for a in kept]
    items = quiz_item_stats(quiz=quiz, kept=kept, totals=course_totals()) if kept else []
    return QuizStats(
        quiz=quiz,
        **counts,
        solved=sum(full_marks(s, quiz.max_score) for s in scores),
        mean_score=sum(scores) / len(scores) if scores else None,
        distribution=_distribution(scores, quiz.max_score),
        items=items,
    )


def quiz_summaries() -> list[QuizSummary]:
    """One line per quiz for the overview (one query for the quizzes, one for counts)."""
    quizzes = list(Quiz.objects.all())
    enrolled = students().count()
    counts = {
        row["quiz_id"]: row
        for row in QuizAttempt.objects.filter(student__in=students())
        .values("quiz_id")
        .annotate(
            attempts=Count("id"),
            students=Count("student_id", distinct=True),
            graded=Count("id", filter=Q(status=QuizAttempt.Status.GRADED)),
        )
    }
    return [
        QuizSummary(
            quiz=q,
            attempts=counts.get(q.pk, {}).get("attempts", 0),
            students=counts.get(q.pk, {}).get("students", 0),
            graded=counts.get(q.pk, {}).get("graded", 0),
            enrolled=enrolled,
        )
        for q in quizzes
    ]
