from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from exercises.course import CourseError, exercise_folders, load_folder
from exercises.validation import validate_spec


class Command(BaseCommand):
    help = (
        "Validate every exercise folder: the reference passes, the starter does not, each "
        "wrong/ answer is named as its misconception, variants are reproducible."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        folders = exercise_folders()
        for folder in folders:
            started = time.perf_counter()
            try:
                report = validate_spec(load_folder(folder))
            except CourseError as exc:
                failures += 1
                self.stdout.write(f"FAIL {folder.name}: {exc}")
                continue
            took = (time.perf_counter() - started) * 1000
            status = "ok  " if report.ok else "FAIL"
            self.stdout.write(f"{status} {report.slug} ({took:.0f} ms)")
            for line in report.lines:
                self.stdout.write(f"       {line}")
            for problem in report.problems:
                self.stdout.write(f"     ! {problem}")
            failures += 0 if report.ok else 1
        if failures:
            raise CommandError(f"{failures} of {len(folders)} exercises failed validation")
        self.stdout.write(f"all {len(folders)} exercises valid")
