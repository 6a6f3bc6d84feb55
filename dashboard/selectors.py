"""Reads for the instructor dashboard: exercise statistics and one student (the
gradebook is in dashboard.gradebook).

Every read is a fixed number of queries whatever the number of students: per-student
figures are aggregated in SQL (conditional aggregates, GROUP BY), and only what a page
shows is fetched (a page of the gradebook, buckets of a histogram)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Floor, Least

from accounts.roles import INSTRUCTOR_GROUP
from exercises.models import Exercise, QuizAttempt
from exercises.spec import SOLVED_EPSILON
from grader.models import HintUnlock, Score, Submission
from grader.standing import CourseStanding, ItemStanding, course_standing

HISTOGRAM_BINS = 10


def students() -> QuerySet[User]:
    """Everyone who takes the course: active accounts that are neither staff nor
    instructors."""
    user_model = get_user_model()
    return user_model.objects.filter(is_active=True, is_staff=False).exclude(
        groups__name=INSTRUCTOR_GROUP
    )


def students_matching(query: str) -> QuerySet[User]:
    qs = students()
    if query:
        qs = qs.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return qs


def gradebook_exercises() -> list[Exercise]:
    """The gradebook's columns: every exercise, open or closed, in course order."""
    return list(Exercise.objects.only("id", "slug", "title", "max_score", "position"))


# --- Exercises ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseSummary:
    exercise: Exercise
    attempts: int
    students: int
    solved: int
    mean_score: float | None
    enrolled: int

    @property
    def solve_rate(self) -> float | None:
        """Solved among the students who tried."""
        return self.solved / self.students if self.students else None


def exercise_summaries() -> list[ExerciseSummary]:
    """One line per exercise for the overview, from the Score rows (one per student
    and exercise, holding the attempt count) rather than from every submission: three
    queries over 10,000 rows instead of a scan of 200,000."""
    exercises = gradebook_exercises()
    scores = {
        r["exercise_id"]: r
        for r in Score.objects.filter(student__in=students())
        .values("exercise_id")
        .annotate(
            total_attempts=Sum("attempts"),
            students=Count("id", filter=Q(attempts__gt=0)),
            solved=Count("id", filter=Q(best_score__gte=F("max_score") - SOLVED_EPSILON)),
            mean_score=Avg("kept_score"),
        )
    }
    enrolled = students().count()
    return [
        ExerciseSummary(
            exercise=e,
            attempts=scores.get(e.pk, {}).get("total_attempts") or 0,
            students=scores.get(e.pk, {}).get("students", 0),
            solved=scores.get(e.pk, {}).get("solved", 0),
            mean_score=scores.get(e.pk, {}).get("mean_score"),
            enrolled=enrolled,
        )
        for e in exercises
    ]


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True)
class MisconceptionRow:
    name: str
    submissions: int
    students: int
    example_id: int
    message: str = ""


@dataclass(frozen=True)
class ExerciseStats:
    exercise: Exercise
    submissions: int
    students: int
    graded: int
    errored: int
    late: int
    solved: int
    mean_score: float | None
    median_time_to_solve: timedelta | None
    median_attempts: float | None
    distribution: list[Bucket]
    misconceptions: list[MisconceptionRow]

    @property
    def solve_rate(self) -> float | None:
        return self.solved / self.students if self.students else None


def bucket_labels(bins: int) -> list[str]:
    step = 100 // bins
    labels = [f"{i * step}–{(i + 1) * step}%" for i in range(bins)]
    labels[-1] = f"{(bins - 1) * step}–<100%"
    return [*labels, "100%"]


def score_distribution(*, exercise: Exercise) -> list[Bucket]:
    """Students by best score in tenths of the maximum, full marks on their own bar."""
    if exercise.max_score <= 0:
        return []
    bucket = Least(
        Floor(F("best_score") * HISTOGRAM_BINS / exercise.max_score + SOLVED_EPSILON),
        Value(HISTOGRAM_BINS),
        output_field=IntegerField(),
    )
    counts = dict(
        Score.objects.filter(exercise=exercise, attempts__gt=0, student__in=students())
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(n=Count("id"))
        .values_list("bucket", "n")
    )
    labels = bucket_labels(HISTOGRAM_BINS)
    return [Bucket(label, int(counts.get(i, 0))) for i, label in enumerate(labels)]


def _median_time_to_solve(exercise: Exercise) -> tuple[timedelta | None, float | None]:
    """From a student's first submission to the one that first got full marks; and how
    many attempts that took. Medians over the students who solved it."""
    first = Submission.objects.filter(
        student_id=OuterRef("student_id"), exercise_id=exercise.pk
    ).order_by("submitted_at", "id")
    solvers = (
        Score.objects.filter(exercise=exercise, solved_at__isnull=False)
        .annotate(first_at=Subquery(first.values("submitted_at")[:1]))
        .annotate(
            tries=Subquery(
                Submission.objects.filter(
                    student_id=OuterRef("student_id"),
                    exercise_id=exercise.pk,
                    submitted_at__lte=OuterRef("solved_at"),
                )
                .values("student_id")
                .annotate(n=Count("id"))
                .values("n")[:1]
            )
        )
        .values_list("first_at", "solved_at", "tries")
    )
    spans: list[float] = []
    tries: list[int] = []
    for first_at, solved_at, n in solvers:
        if first_at is not None and solved_at is not None:
            spans.append(max(0.0, (solved_at - first_at).total_seconds()))
        if n:
            tries.append(int(n))
    median_span = timedelta(seconds=statistics.median(spans)) if spans else None
    return median_span, (float(statistics.median(tries)) if tries else None)


def misconceptions_for(*, exercise: Exercise, limit: int = 10) -> list[MisconceptionRow]:
    rows = list(
        Submission.objects.filter(exercise=exercise)
        .exclude(misconception="")
        .values("misconception")
        .annotate(n=Count("id"), students=Count("student_id", distinct=True), example=Max("id"))
        .order_by("-n", "misconception")[:limit]
    )
    messages = _misconception_messages([r["example"] for r in rows])
    return [
        MisconceptionRow(
            name=r["misconception"],
            submissions=r["n"],
            students=r["students"],
            example_id=r["example"],
            message=messages.get(r["misconception"], ""),
        )
        for r in rows
    ]


def _misconception_messages(example_ids: list[int]) -> dict[str, str]:
    """What each misconception told the student, as stored with an example submission
    (so a staff page never loads the exercise's grading module, and with it torch)."""
    rows = Submission.objects.filter(pk__in=example_ids).values_list(
        "misconception", "results__extra__misconception__message"
    )
    return {name: message for name, message in rows if name and isinstance(message, str)}


def exercise_stats(*, exercise: Exercise) -> ExerciseStats:
    counts = Submission.objects.filter(exercise=exercise).aggregate(
        n=Count("id"),
        students=Count("student_id", distinct=True),
        graded=Count("id", filter=Q(status=Submission.Status.GRADED)),
        errored=Count("id", filter=Q(status=Submission.Status.ERROR)),
        late=Count("id", filter=Q(is_late=True)),
    )
    scores = Score.objects.filter(exercise=exercise, student__in=students()).aggregate(
        solved=Count("id", filter=Q(best_score__gte=F("max_score") - SOLVED_EPSILON)),
        mean_score=Avg("kept_score", filter=Q(attempts__gt=0)),
    )
    median_span, median_tries = _median_time_to_solve(exercise)
    return ExerciseStats(
        exercise=exercise,
        submissions=counts["n"],
        students=counts["students"],
        graded=counts["graded"],
        errored=counts["errored"],
        late=counts["late"],
        solved=scores["solved"],
        mean_score=scores["mean_score"],
        median_time_to_solve=median_span,
        median_attempts=median_tries,
        distribution=score_distribution(exercise=exercise),
        misconceptions=misconceptions_for(exercise=exercise),
    )


# --- One student -------------------------------------------------------------------


@dataclass
class StudentView:
    student: User
    scores: list[Score]
    page: Page[Any]
    standing: CourseStanding

    @property
    def total(self) -> float:
        return self.standing.total

    @property
    def max_total(self) -> float:
        return self.standing.max_total

    @property
    def quiz_rows(self) -> list[ItemStanding]:
        return [q for q in self.standing.quizzes if q.attempts]


STUDENT_PAGE_SIZE = 100


def student_view(*, student: User, page: int | str = 1) -> StudentView:
    scores = list(
        Score.objects.filter(student=student)
        .select_related("exercise")
        .order_by("exercise__position", "exercise__slug")
    )
    submissions = (
        Submission.objects.filter(student=student)
        .select_related("exercise")
        .defer("sandbox_stdout", "sandbox_stderr", "answer", "parts")
        .order_by("-submitted_at", "-id")
    )
    return StudentView(
        student=student,
        scores=scores,
        page=Paginator(submissions, STUDENT_PAGE_SIZE).get_page(page),
        standing=course_standing(student=student),
    )


def score_timeline(*, student: User) -> dict[str, list[tuple[datetime, float]]]:
    """Each exercise's graded scores over time, and each quiz's graded attempts, as a
    percentage of the maximum, by title (two queries)."""
    series: dict[str, list[tuple[datetime, float]]] = {}
    rows = (
        Submission.objects.filter(student=student, status=Submission.Status.GRADED)
        .order_by("submitted_at", "id")
        .values_list("exercise__title", "submitted_at", "score", "max_score")
    )
    quiz_rows = (
        QuizAttempt.objects.filter(student=student, status=QuizAttempt.Status.GRADED)
        .exclude(submitted_at=None)
        .order_by("submitted_at", "id")
        .values_list("quiz__title", "submitted_at", "score", "max_score")
    )
    for title, at, score, max_score in [*rows, *quiz_rows]:
        if at is None:  # excluded above; a submission always has its time
            continue
        pct = 100.0 * (score or 0.0) / max_score if max_score else 0.0
        series.setdefault(title, []).append((at, round(pct, 1)))
    return series


@dataclass(frozen=True)
class HintUsageRow:
    student: User
    # One cell per hint of the ladder, in order: the unlock, or None if still closed.
    unlocks: list[HintUnlock | None]

    @property
    def requested(self) -> int:
        return sum(1 for u in self.unlocks if u and u.how == HintUnlock.How.REQUESTED)


@dataclass(frozen=True)
class HintUsage:
    hints: int  # the ladder's length
    rows: list[HintUsageRow]  # students who opened at least one hint, by username
    opened: list[int]  # per hint: how many students have it open


def hint_usage(*, exercise: Exercise) -> HintUsage:
    """Who opened which hint of the exercise, when and how (one query)."""
    size = len(exercise.hints)
    by_student: dict[int, HintUsageRow] = {}
    unlocks = (
        HintUnlock.objects.filter(exercise=exercise, number__lte=size, student__in=students())
        .select_related("student")
        .order_by("student__username", "number")
    )
    for unlock in unlocks:
        row = by_student.setdefault(
            unlock.student_id, HintUsageRow(student=unlock.student, unlocks=[None] * size)
        )
        row.unlocks[unlock.number - 1] = unlock
    rows = list(by_student.values())
    opened = [sum(1 for r in rows if r.unlocks[i] is not None) for i in range(size)]
    return HintUsage(hints=size, rows=rows, opened=opened)
