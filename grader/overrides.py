"""Manual score overrides. The grading console (issue 5) records them with an audit
trail; until then there are none."""

from __future__ import annotations

from exercises.models import Exercise


def active_overrides(*, student_id: int, exercise: Exercise) -> dict[int, float]:
    return {}
