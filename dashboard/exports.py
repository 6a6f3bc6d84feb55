"""Streaming exports: the gradebook (one row per student, one column per exercise) and
every submission, as CSV or JSON. Rows come from one query iterated in chunks, so
memory and query count stay flat however many rows there are."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import FilteredRelation, Q, QuerySet

from grader.models import Submission

from .gradebook import gradebook_export

# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow([_safe(v) for v in row])


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def gradebook_csv(*, query: str = "") -> Iterator[str]:
    columns, rows = gradebook_export(query=query)
    header = ["username", "name", "email"]
    header += [c.slug for c in columns]
    header += ["total", "max_total", "solved", "late_exercises"]
    max_total = f"{sum(c.max_score for c in columns):g}"

    def lines() -> Iterator[list[Any]]:
        for row in rows:
            yield [
                row.username,
                row.name,
                row.email,
                *(_score(c.kept) for c in row.items),
                f"{row.total:g}",
                max_total,
                row.solved,
                sum(1 for c in row.items if c.late),
            ]

    return _csv_lines(header, lines())


SUBMISSION_COLUMNS = {
    "id": "id",
    "student": "student__username",
    "exercise": "exercise__slug",
    "attempt": "attempt",
    "status": "status",
    "score": "score",
    "override": "active_override__score",
    "max_score": "max_score",
    "late": "is_late",
    "misconception": "misconception",
    "submitted_at": "submitted_at",
    "graded_at": "graded_at",
    "grader_version": "grader_version",
    "grade_ms": "timings__grade_ms",
    "sandbox_ms": "timings__sandbox_ms",
}


def submissions_rows(*, exercise_id: int | None = None, student: str = "") -> QuerySet[Any]:
    """Every submission with the active override joined in (not a subquery per row)."""
    qs = Submission.objects.annotate(
        active_override=FilteredRelation(
            "overrides", condition=Q(overrides__revoked_at__isnull=True)
        )
    )
    if exercise_id:
        qs = qs.filter(exercise_id=exercise_id)
    if student:
        qs = qs.filter(student__username=student)
    return qs.order_by("id").values_list(*SUBMISSION_COLUMNS.values())


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def submissions_csv(*, exercise_id: int | None = None, student: str = "") -> Iterator[str]:
    rows = submissions_rows(exercise_id=exercise_id, student=student).iterator(chunk_size=2000)
    return _csv_lines(list(SUBMISSION_COLUMNS), ([_plain(v) for v in row] for row in rows))


def submissions_json(*, exercise_id: int | None = None, student: str = "") -> Iterator[str]:
    """A JSON array streamed one object per line."""
    names = list(SUBMISSION_COLUMNS)
    rows = submissions_rows(exercise_id=exercise_id, student=student).iterator(chunk_size=2000)
    yield "[\n"
    first = True
    for row in rows:
        item = json.dumps(dict(zip(names, (_plain(v) for v in row), strict=True)))
        yield ("" if first else ",\n") + item
        first = False
    yield "\n]\n"
