from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from exercises.course import CourseError
from exercises.services import course_load


class Command(BaseCommand):
    help = "Load and validate the exercise folders under exercises/content/ (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = course_load()
        except CourseError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"course loaded: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.deactivated)} deactivated"
        )
