from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .course import ExerciseSpec, exercise_folders, load_folder, public_item
from .models import Exercise
from .quiz import load_quiz_folder, quiz_folders
from .quiz_services import quizzes_write


@dataclass(frozen=True)
class LoadReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    deactivated: list[str]
    # Quizzes (exercises/content/<slug>/quiz.json): created/updated/unchanged/deactivated.
    quizzes: dict[str, list[str]] = field(default_factory=dict)


def _fields(spec: ExerciseSpec) -> dict[str, object]:
    return {
        "title": spec.title,
        "notes_section": spec.notes_section,
        "kind": spec.kind,
        "protocol": spec.protocol,
        "statement_md": spec.statement,
        "starter": spec.starter,
        "max_score": spec.max_score,
        "position": spec.position,
        "by_hand": spec.by_hand,
        "attempt_limit": spec.attempt_limit,
        "due_at": spec.due_at,
        "late_penalty": spec.late_penalty,
        "score_policy": spec.score_policy,
        # What the pages need of a part; the answers stay in the folder.
        "parts": [public_item(p) for p in spec.parts],
        "hints": spec.hints,
        "hint_penalty": spec.hint_penalty,
        "content_hash": spec.content_hash,
        "is_active": True,
    }


def course_load(*, root: Path | None = None) -> LoadReport:
    """Load every exercise folder into the database. Idempotent: unchanged folders are
    left alone. All folders are read and validated before anything is written, so a
    broken folder leaves the database as it was."""
    specs = [load_folder(folder) for folder in exercise_folders(root)]
    quiz_specs = [load_quiz_folder(folder) for folder in quiz_folders(root)]
    created, updated, unchanged = [], [], []
    with transaction.atomic():
        existing = {e.slug: e for e in Exercise.objects.all()}
        for spec in specs:
            row = existing.get(spec.slug)
            if row is None:
                Exercise.objects.create(slug=spec.slug, **_fields(spec))
                created.append(spec.slug)
            elif row.content_hash != spec.content_hash or not row.is_active:
                for name, value in _fields(spec).items():
                    setattr(row, name, value)
                row.loaded_at = timezone.now()
                row.save()
                updated.append(spec.slug)
            else:
                unchanged.append(spec.slug)
        # A folder that disappeared keeps its row (submissions point at it) but is hidden.
        gone = [
            slug
            for slug, row in existing.items()
            if row.is_active and slug not in {s.slug for s in specs}
        ]
        Exercise.objects.filter(slug__in=gone).update(is_active=False)
        quizzes = quizzes_write(quiz_specs)
    return LoadReport(created, updated, unchanged, gone, quizzes)
