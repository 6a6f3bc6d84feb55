from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from exercises.course import CourseError, exercise_folders, load_folder
from exercises.quiz import load_quiz_folder, quiz_folders
from grader.validation import ValidationReport, validate_quiz, validate_spec


class Command(BaseCommand):
    help = (
        "Validate every exercise and quiz folder: the reference passes, the starter does not, "
        "each wrong/ answer is named as its misconception, variants are reproducible."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sections = {f.name: load_folder(f).notes_section for f in exercise_folders()}
        checks: list[tuple[Path, Callable[[Path], ValidationReport]]] = [
            *((folder, lambda f: validate_spec(load_folder(f))) for folder in exercise_folders()),
            *((folder, lambda f: validate_quiz(load_quiz_folder(f))) for folder in quiz_folders()),
        ]
        failures = 0
        for folder, validate in checks:
            started = time.perf_counter()
            try:
                report = validate(folder)
            except CourseError as exc:
                failures += 1
                self.stdout.write(f"FAIL {folder.name}: {exc}")
                continue
            took = (time.perf_counter() - started) * 1000
            status = "ok  " if report.ok else "FAIL"
            section = f" §{sections[report.slug]}" if report.slug in sections else ""
            self.stdout.write(f"{status} {report.slug}{section} ({took:.0f} ms)")
            for line in report.lines:
                self.stdout.write(f"       {line}")
            for problem in report.problems:
                self.stdout.write(f"     ! {problem}")
            failures += 0 if report.ok else 1
        exercises, quizzes = len(exercise_folders()), len(quiz_folders())
        if failures:
            raise CommandError(
                f"{failures} of {len(checks)} exercises and quizzes failed validation"
            )
        noun = "quiz" if quizzes == 1 else "quizzes"
        self.stdout.write(f"all {exercises} exercises and {quizzes} {noun} valid")
