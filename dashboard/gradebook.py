"""The gradebook: students × exercises and quizzes, with totals, in one query.

Each row is one GROUP BY over the student's Score rows (one conditional aggregate per
exercise and figure) plus one correlated subquery per quiz and figure, so a page, a
sort on any column or the whole CSV export costs the same number of queries for ten
students or ten thousand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from exercises.models import Exercise, Quiz, QuizAttempt
from exercises.spec import SOLVED_EPSILON, full_marks
from grader.models import Score

from .selectors import gradebook_exercises, students_matching

PAGE_SIZE = 50
SORTS = ("name", "-name", "total", "-total", "solved", "-solved")


@dataclass(frozen=True)
class Column:
    """One graded thing: an exercise (key e<pk>) or a quiz (key q<pk>)."""

    kind: str
    pk: int
    slug: str
    title: str
    max_score: float
    keeps_latest: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind[0]}{self.pk}"

    @property
    def is_quiz(self) -> bool:
        return self.kind == "quiz"


def gradebook_columns() -> list[Column]:
    """Every exercise, then every quiz, open or closed, in course order."""
    columns = [
        Column("exercise", e.pk, e.slug, e.title, e.max_score) for e in gradebook_exercises()
    ]
    columns += [
        Column(
            "quiz",
            q.pk,
            q.slug,
            q.title,
            q.max_score,
            keeps_latest=q.score_policy == Exercise.ScorePolicy.LATEST,
        )
        for q in Quiz.objects.only("id", "slug", "title", "max_score", "score_policy")
    ]
    return columns


@dataclass(frozen=True)
class Cell:
    score: float | None
    best: float | None
    attempts: int
    late: bool
    max_score: float

    @property
    def solved(self) -> bool:
        return self.best is not None and full_marks(self.best, self.max_score)


@dataclass
class GradebookRow:
    id: int
    username: str
    name: str
    email: str
    total: float
    solved: int
    cells: list[Cell] = field(default_factory=list)


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


def _exercise_annotations(column: Column) -> dict[str, Any]:
    here = Q(scores__exercise_id=column.pk)
    return {
        f"s_{column.key}": Max("scores__kept_score", filter=here),
        f"b_{column.key}": Max("scores__best_score", filter=here),
        f"a_{column.key}": Max("scores__attempts", filter=here),
        f"l_{column.key}": Max(
            Case(When(scores__is_late=True, then=Value(1)), default=Value(0)),
            filter=here,
            output_field=IntegerField(),
        ),
    }


def _quiz_annotations(column: Column) -> dict[str, Any]:
    """Subqueries, not a second join: joining attempts next to scores would multiply
    the rows each aggregate sees."""
    attempts = QuizAttempt.objects.filter(student_id=OuterRef("id"), quiz_id=column.pk)
    graded = attempts.filter(status=QuizAttempt.Status.GRADED)
    kept = graded.order_by("-number") if column.keeps_latest else graded.order_by("-score")
    return {
        f"s_{column.key}": Subquery(kept.values("score")[:1], output_field=FloatField()),
        f"b_{column.key}": Subquery(
            graded.order_by("-score").values("score")[:1], output_field=FloatField()
        ),
        f"a_{column.key}": Subquery(
            attempts.order_by().values("student_id").annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        f"l_{column.key}": Value(0, output_field=IntegerField()),
    }


def gradebook_rows(*, columns: list[Column], query: str = "", sort: str = "name") -> QuerySet[Any]:
    """Students with their totals and every column's figures, as dicts; filtered by
    name and ordered by `sort`. One query however it is sliced or iterated."""
    annotations: dict[str, Any] = {}
    for column in columns:
        annotations.update(
            _quiz_annotations(column) if column.is_quiz else _exercise_annotations(column)
        )
    quiz_total = sum(
        (Coalesce(F(f"s_{c.key}"), Value(0.0)) for c in columns if c.is_quiz),
        Value(0.0),
    )
    quiz_solved = sum(
        (
            Case(When(**{f"b_{c.key}__gte": c.max_score - SOLVED_EPSILON}, then=1), default=0)
            for c in columns
            if c.is_quiz
        ),
        Value(0),
    )
    values = (
        students_matching(query)
        .values("id", "username", "first_name", "last_name", "email")
        .annotate(
            exercise_total=Coalesce(
                Sum("scores__kept_score"), Value(0.0), output_field=FloatField()
            ),
            exercise_solved=Count(
                "scores",
                filter=Q(scores__best_score__gte=F("scores__max_score") - SOLVED_EPSILON),
            ),
            **annotations,
        )
        .annotate(
            total=F("exercise_total") + quiz_total,
            solved=F("exercise_solved") + quiz_solved,
        )
    )
    sort = _valid_sort(sort, columns)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    name = {"name": "username", "total": "total", "solved": "solved"}.get(key, f"s_{key}")
    ordering = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_first=True)
    return values.order_by(ordering, "username")


def gradebook_row(values: dict[str, Any], columns: list[Column]) -> GradebookRow:
    return GradebookRow(
        id=values["id"],
        username=values["username"],
        name=f"{values['first_name']} {values['last_name']}".strip(),
        email=values["email"],
        total=float(values["total"] or 0.0),
        solved=int(values["solved"] or 0),
        cells=[
            Cell(
                score=values[f"s_{c.key}"],
                best=values[f"b_{c.key}"],
                attempts=int(values[f"a_{c.key}"] or 0),
                late=bool(values[f"l_{c.key}"]),
                max_score=c.max_score,
            )
            for c in columns
        ],
    )


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
        best_per_student = (
            QuizAttempt.objects.filter(student__in=who)
            .values("quiz_id", "student_id")
            .annotate(best=Max("score", filter=Q(status=QuizAttempt.Status.GRADED)))
            .values_list("quiz_id", "best")
        )
        maxima = {c.pk: c.max_score for c in columns if c.is_quiz}
        for quiz_id, best in best_per_student:
            agg = by_quiz.setdefault(quiz_id, {"attempted": 0, "solved": 0, "sum": 0.0, "n": 0})
            agg["attempted"] += 1
            if best is not None:
                agg["n"] += 1
                agg["sum"] += best
                agg["solved"] += full_marks(best, maxima.get(quiz_id, 0))
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
