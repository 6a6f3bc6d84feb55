"""Writes about quizzes as content: storing the loaded quiz folders (loadcourse). What
happens to an attempt (start, submit, grading) is the grader's: grader/quiz_attempts.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .course import public_item
from .models import Quiz
from .quiz import QuizSpec


def _fields(spec: QuizSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "notes_sections": spec.notes_sections,
        "intro_md": spec.intro,
        # What the pages need of a question; the answers stay in the folder.
        "questions": [public_item(q) for q in spec.questions],
        "max_score": spec.max_score,
        "position": spec.position,
        "time_limit_seconds": spec.time_limit_seconds,
        "opens_at": spec.opens_at,
        "closes_at": spec.closes_at,
        "attempt_limit": spec.attempt_limit,
        "score_policy": spec.score_policy,
        "content_hash": spec.content_hash,
        "is_active": True,
    }


def quizzes_write(specs: list[QuizSpec]) -> dict[str, list[str]]:
    """Write loaded quiz folders into the database (call inside a transaction, after
    every folder has been read). Unchanged quizzes are left alone; a quiz whose folder
    disappeared keeps its row (attempts point at it) but is hidden."""
    report: dict[str, list[str]] = {
        "created": [],
        "updated": [],
        "unchanged": [],
        "deactivated": [],
    }
    existing = {q.slug: q for q in Quiz.objects.all()}
    for spec in specs:
        # Loads and checks grading.py (the formula questions) now, so that a broken one
        # stops loadcourse naming the file rather than the first grading.
        _ = spec.formulas
        row = existing.get(spec.slug)
        if row is None:
            Quiz.objects.create(slug=spec.slug, **_fields(spec))
            report["created"].append(spec.slug)
        elif row.content_hash != spec.content_hash or not row.is_active:
            for name, value in _fields(spec).items():
                setattr(row, name, value)
            row.loaded_at = timezone.now()
            row.save()
            report["updated"].append(spec.slug)
        else:
            report["unchanged"].append(spec.slug)
    loaded = {s.slug for s in specs}
    gone = [slug for slug, row in existing.items() if row.is_active and slug not in loaded]
    Quiz.objects.filter(slug__in=gone).update(is_active=False)
    report["deactivated"] = gone
    return report
