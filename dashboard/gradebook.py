"""The gradebook: students × exercises and quizzes, with totals, in one query.

Each row is a student's course standing as grader.standing defines it (one GROUP BY
over the student's Score rows plus one correlated subquery per quiz and figure), so a
page, a sort on any column or the whole CSV export costs the same number of queries for
ten students or ten thousand, and shows the same total as the student's own page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, F, Max, OuterRef, Q, QuerySet, Subquery

from exercises.models import QuizAttempt
from exercises.spec import SOLVED_EPSILON, full_marks
from grader.models import Score
from grader.standing import (
    CourseItem,
    CourseStanding,
    course_items,
    standing_from_values,
    standing_values,
)

from .selectors import students_matching

PAGE_SIZE = 50
SORTS = ("name", "-name", "total", "-total", "solved", "-solved")

# A gradebook column is a course item; a row is a student's course standing (the one
# definition of the course total, grader.standing).
Column = CourseItem
GradebookRow = CourseStanding


def gradebook_columns() -> list[Column]:
    """Every exercise, then every quiz, open or closed, in course order."""
    return course_items()


@dataclass(frozen=True)
class ColumnSummary:
    column: Column
    attempted: int
    solved: int
    mean_score: float | None


@dataclass
class Gradebook:
    columns: list[Column]
    page: Page[Any]
    rows: list[GradebookRow]
    summaries: list[ColumnSummary]
    max_total: float
    sort: str
    query: str

    @property
    def query_string(self) -> str:
        """The filter and sort, for links to other pages of the same view."""
        return urlencode({"q": self.query, "sort": self.sort})


def _valid_sort(sort: str, columns: list[Column]) -> str:
    if sort in SORTS or sort.lstrip("-") in {c.key for c in columns}:
        return sort
    return "name"


def gradebook_rows(*, columns: list[Column], query: str = "", sort: str = "name") -> QuerySet[Any]:
    """Students with their totals and every column's figures, as dicts; filtered by
    name and ordered by `sort`. One query however it is sliced or iterated."""
    values = standing_values(students_matching(query), columns)
    sort = _valid_sort(sort, columns)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    name = {"name": "username", "total": "total", "solved": "solved"}.get(key, f"s_{key}")
    ordering = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True)
    return values.order_by(ordering, "username")


def gradebook_row(values: dict[str, Any], columns: list[Column]) -> GradebookRow:
    return standing_from_values(values, columns)


def column_summaries(*, columns: list[Column], query: str = "") -> list[ColumnSummary]:
    """Per column over the (filtered) students: how many attempted, solved, the mean.
    Two queries: one over Score rows, one over quiz attempts."""
    who = students_matching(query)
    by_exercise = {
        row["exercise_id"]: row
        for row in Score.objects.filter(student__in=who)
        .values("exercise_id")
        .annotate(
            attempted=Count("id", filter=Q(attempts__gt=0)),
            solved=Count("id", filter=Q(best_score__gte=F("max_score") - SOLVED_EPSILON)),
            mean_score=Avg("kept_score"),
        )
    }
    by_quiz: dict[int, dict[str, Any]] = {}
    if any(c.is_quiz for c in columns):
        graded = QuizAttempt.objects.filter(
            student_id=OuterRef("student_id"),
            quiz_id=OuterRef("quiz_id"),
            status=QuizAttempt.Status.GRADED,
        )
        # Per student and quiz: the best score (for "solved") and the latest one (kept
        # by a quiz whose policy is "latest"), so the mean is of the kept scores.
        per_student = (
            QuizAttempt.objects.filter(student__in=who)
            .values("quiz_id", "student_id")
            .annotate(
                best=Max("score", filter=Q(status=QuizAttempt.Status.GRADED)),
                latest=Subquery(graded.order_by("-number").values("score")[:1]),
            )
            .values_list("quiz_id", "best", "latest")
        )
        quizzes = {c.pk: c for c in columns if c.is_quiz}
        for quiz_id, best, latest in per_student:
            agg = by_quiz.setdefault(quiz_id, {"attempted": 0, "solved": 0, "sum": 0.0, "n": 0})
            agg["attempted"] += 1
            column = quizzes.get(quiz_id)
            if best is not None and column is not None:
                agg["n"] += 1
                agg["sum"] += latest if column.keeps_latest else best
                agg["solved"] += full_marks(best, column.max_score)
        for agg in by_quiz.values():
            agg["mean_score"] = agg["sum"] / agg["n"] if agg["n"] else None
    summaries = []
    for c in columns:
        agg = (by_quiz if c.is_quiz else by_exercise).get(c.pk, {})
        summaries.append(
            ColumnSummary(
                column=c,
                attempted=agg.get("attempted", 0),
                solved=agg.get("solved", 0),
                mean_score=agg.get("mean_score"),
            )
        )
    return summaries


def gradebook(*, query: str = "", sort: str = "name", page: int | str = 1) -> Gradebook:
    columns = gradebook_columns()
    sort = _valid_sort(sort, columns)
    paginator = Paginator(gradebook_rows(columns=columns, query=query, sort=sort), PAGE_SIZE)
    # Count students without the GROUP BY, so the paginator's count stays cheap.
    paginator.count = students_matching(query).count()
    current = paginator.get_page(page)
    return Gradebook(
        columns=columns,
        page=current,
        rows=[gradebook_row(values, columns) for values in current.object_list],
        summaries=column_summaries(columns=columns, query=query),
        max_total=sum(c.max_score for c in columns),
        sort=sort,
        query=query,
    )


def gradebook_export(*, query: str = "") -> tuple[list[Column], Iterator[GradebookRow]]:
    """Every student's row, streamed from one query (for the CSV export)."""
    columns = gradebook_columns()
    rows = gradebook_rows(columns=columns, query=query, sort="name")
    return columns, (gradebook_row(values, columns) for values in rows.iterator(chunk_size=500))
