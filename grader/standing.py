"""A student's standing in the course: the one definition of what counts and how.

The course is every exercise and every quiz loaded, open or closed (a closed exercise
still counts: taking it out of the content does not erase what students earned), in
course order. On each, the *kept* score counts: for an exercise its Score row's
`kept_score` (best or latest attempt by the exercise's policy, manual overrides
included, computed by `services.score_refresh`); for a quiz the score of the attempt
its policy keeps (the best graded attempt, or the latest). The course total is the sum
of the kept scores out of the sum of the maxima, and "solved" counts the items whose
best score is full marks.

The student's exercise list, the instructor's student page, the gradebook and its CSV
export all read totals through `standing_values`, so they cannot disagree. It is SQL
(one GROUP BY over the student's Score rows plus one correlated subquery per quiz and
figure), so the gradebook can sort and page on the total for any number of students in
one query."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Case,
    Count,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from exercises.models import Exercise, Quiz, QuizAttempt
from exercises.spec import SOLVED_EPSILON, full_marks

from .models import DueExtension

ItemKind = Literal["exercise", "quiz"]


@dataclass(frozen=True)
class CourseItem:
    """One graded thing of the course: an exercise (key e<pk>) or a quiz (key q<pk>)."""

    kind: ItemKind
    pk: int
    slug: str
    title: str
    sections: str  # the notes' sections it covers, as written in its info ("3, 5", "1–8")
    max_score: float
    is_active: bool = True
    keeps_latest: bool = False
    answer_kind: str = ""  # formula, code, numeric, choice; "quiz" for a quiz
    due_at: datetime | None = None  # an exercise's due date, a quiz's closing time
    attempt_limit: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind[0]}{self.pk}"

    @property
    def ref(self) -> str:
        """ "exercise:<slug>" or "quiz:<slug>": how a form names the item."""
        return f"{self.kind}:{self.slug}"

    @property
    def is_quiz(self) -> bool:
        return self.kind == "quiz"

    @property
    def section_list(self) -> list[str]:
        """The sections one by one: "3, 5" → ["3", "5"]; a range ("1–8") stays whole."""
        return [s for s in re.split(r"[,;]\s*", self.sections.strip()) if s] or ["—"]


ITEM_FIELDS = ("id", "slug", "title", "max_score", "is_active", "score_policy", "attempt_limit")


def course_items() -> list[CourseItem]:
    """Every exercise, then every quiz, open or closed, in course order (two queries)."""
    items = [
        CourseItem(
            kind="exercise",
            pk=e.pk,
            slug=e.slug,
            title=e.title,
            sections=e.notes_section,
            max_score=e.max_score,
            is_active=e.is_active,
            keeps_latest=e.score_policy == Exercise.ScorePolicy.LATEST,
            answer_kind=e.kind,
            due_at=e.due_at,
            attempt_limit=e.attempt_limit,
        )
        for e in Exercise.objects.only(*ITEM_FIELDS, "notes_section", "kind", "due_at")
    ]
    items += [
        CourseItem(
            kind="quiz",
            pk=q.pk,
            slug=q.slug,
            title=q.title,
            sections=q.notes_sections,
            max_score=q.max_score,
            is_active=q.is_active,
            keeps_latest=q.score_policy == Exercise.ScorePolicy.LATEST,
            answer_kind="quiz",
            due_at=q.closes_at,
            attempt_limit=q.attempt_limit,
        )
        for q in Quiz.objects.only(*ITEM_FIELDS, "notes_sections", "closes_at")
    ]
    return items


def _exercise_annotations(item: CourseItem) -> dict[str, Any]:
    here = Q(scores__exercise_id=item.pk)
    return {
        f"s_{item.key}": Max("scores__kept_score", filter=here),
        f"b_{item.key}": Max("scores__best_score", filter=here),
        f"a_{item.key}": Max("scores__attempts", filter=here),
        f"l_{item.key}": Max(
            Case(When(scores__is_late=True, then=Value(1)), default=Value(0)),
            filter=here,
            output_field=IntegerField(),
        ),
    }


def _quiz_annotations(item: CourseItem) -> dict[str, Any]:
    """Subqueries, not a second join: joining attempts next to scores would multiply
    the rows each aggregate sees."""
    attempts = QuizAttempt.objects.filter(student_id=OuterRef("id"), quiz_id=item.pk)
    graded = attempts.filter(status=QuizAttempt.Status.GRADED)
    kept = graded.order_by("-number") if item.keeps_latest else graded.order_by("-score", "number")
    return {
        f"s_{item.key}": Subquery(kept.values("score")[:1], output_field=FloatField()),
        f"b_{item.key}": Subquery(
            graded.order_by("-score").values("score")[:1], output_field=FloatField()
        ),
        f"a_{item.key}": Subquery(
            attempts.order_by().values("student_id").annotate(n=Count("id")).values("n")[:1],
            output_field=IntegerField(),
        ),
        f"l_{item.key}": Value(0, output_field=IntegerField()),
    }


def standing_values(students: QuerySet[Any], items: list[CourseItem]) -> QuerySet[Any]:
    """`students` as dicts with, per item, its kept (s_<key>), best (b_<key>) score,
    attempts (a_<key>) and late flag (l_<key>), and the course `total` and `solved`.
    One query however it is filtered, sliced, ordered or iterated."""
    annotations: dict[str, Any] = {}
    for item in items:
        annotations.update(_quiz_annotations(item) if item.is_quiz else _exercise_annotations(item))
    # The sum of the cells, not a separate Sum over Score rows: the total is, by
    # construction, what the row shows.
    total = sum(
        (Coalesce(f"s_{item.key}", Value(0.0), output_field=FloatField()) for item in items),
        Value(0.0, output_field=FloatField()),
    )
    solved = sum(
        (
            Case(
                When(**{f"b_{item.key}__gte": item.max_score - SOLVED_EPSILON}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for item in items
        ),
        Value(0, output_field=IntegerField()),
    )
    return (
        students.values("id", "username", "first_name", "last_name", "email")
        .annotate(**annotations)
        .annotate(total=total, solved=solved)
    )


@dataclass(frozen=True)
class ItemStanding:
    """A student on one item: the kept and best scores (None before any graded
    attempt), the number of attempts, whether the kept one was late."""

    item: CourseItem
    kept: float | None
    best: float | None
    attempts: int
    late: bool
    extension: DueExtension | None = None  # this student's own due date, if extended

    @property
    def due_at(self) -> datetime | None:
        return self.extension.due_at if self.extension else self.item.due_at

    @property
    def max_score(self) -> float:
        return self.item.max_score

    @property
    def solved(self) -> bool:
        return self.best is not None and full_marks(self.best, self.item.max_score)

    @property
    def state(self) -> str:
        """solved, attempted or not-started, as the student's list says it."""
        if self.solved:
            return "solved"
        return "attempted" if self.attempts else "not-started"


@dataclass(frozen=True)
class SectionProgress:
    """One section of the notes: the exercises that practise it, how many are solved,
    and their kept points. An exercise on two sections counts in both."""

    section: str
    items: list[ItemStanding]

    @property
    def solved(self) -> int:
        return sum(1 for s in self.items if s.solved)

    @property
    def points(self) -> float:
        return sum(s.kept or 0.0 for s in self.items)

    @property
    def max_points(self) -> float:
        return sum(s.max_score for s in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.max_points) if self.max_points else 0


def _section_key(section: str) -> tuple[float, str]:
    head = re.match(r"\d+", section)
    return (float(head.group()) if head else float("inf"), section)


@dataclass
class CourseStanding:
    """A student's standing on every item, and the course total."""

    student_id: int
    username: str
    name: str
    email: str
    total: float
    solved: int
    items: list[ItemStanding] = field(default_factory=list)

    @property
    def max_total(self) -> float:
        return sum(s.max_score for s in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.total / self.max_total) if self.max_total else 0

    @property
    def exercises(self) -> list[ItemStanding]:
        return [s for s in self.items if not s.item.is_quiz]

    @property
    def due_items(self) -> list[ItemStanding]:
        """The exercises with a due date and the quizzes with a closing time, each with
        the student's own."""
        return [s for s in self.items if s.item.due_at is not None]

    @property
    def quizzes(self) -> list[ItemStanding]:
        return [s for s in self.items if s.item.is_quiz]

    def sections(self) -> list[SectionProgress]:
        """Progress per section of the notes, from the exercises (a quiz spans the
        lecture and is its own line on the list)."""
        by_section: dict[str, list[ItemStanding]] = {}
        for standing in self.exercises:
            for section in standing.item.section_list:
                by_section.setdefault(section, []).append(standing)
        return [
            SectionProgress(section=s, items=by_section[s])
            for s in sorted(by_section, key=_section_key)
        ]


def standing_from_values(
    values: dict[str, Any],
    items: list[CourseItem],
    extensions: dict[str, DueExtension] | None = None,
) -> CourseStanding:
    """One row of `standing_values` as a standing; `extensions` holds the student's
    extensions by item key (e<pk>, q<pk>)."""
    extensions = extensions or {}
    return CourseStanding(
        student_id=values["id"],
        username=values["username"],
        name=f"{values['first_name']} {values['last_name']}".strip(),
        email=values["email"],
        total=float(values["total"] or 0.0),
        solved=int(values["solved"] or 0),
        items=[
            ItemStanding(
                item=item,
                kept=values[f"s_{item.key}"],
                best=values[f"b_{item.key}"],
                attempts=int(values[f"a_{item.key}"] or 0),
                late=bool(values[f"l_{item.key}"]),
                extension=extensions.get(item.key),
            )
            for item in items
        ],
    )


def course_standing(*, student: AbstractBaseUser) -> CourseStanding:
    """One student's standing (three queries: exercises, quizzes, the standing; and the
    student's extensions when an item has a due date or closing time)."""
    items = course_items()
    values = standing_values(get_user_model().objects.filter(pk=student.pk), items).get()
    extensions: dict[str, DueExtension] = {}
    if any(item.due_at for item in items):
        extensions = {
            f"e{e.exercise_id}" if e.exercise_id else f"q{e.quiz_id}": e
            for e in DueExtension.objects.filter(student_id=student.pk).select_related("granted_by")
        }
    return standing_from_values(values, items, extensions)
