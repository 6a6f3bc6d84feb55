from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dashboard.synth import QUIZ_SLUG, synth_clear, synth_course


class Command(BaseCommand):
    help = (
        "Generate a synthetic course (closed exercises synth-ex-NN, a closed quiz synth-quiz, "
        "students synth-NNNNN) "
        "to measure the dashboard: --students × --exercises × --submissions rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--students", type=int, default=1000)
        parser.add_argument("--exercises", type=int, default=10)
        parser.add_argument("--submissions", type=int, default=20, help="per student and exercise")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--clear", action="store_true", help="remove a previous synthetic course first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clear"]:
            t0 = time.perf_counter()
            synth_clear()
            self.stdout.write(
                f"cleared the previous synthetic course in {time.perf_counter() - t0:.1f} s"
            )
        t0 = time.perf_counter()
        summary = synth_course(
            students=options["students"],
            exercises=options["exercises"],
            submissions=options["submissions"],
            seed=options["seed"],
        )
        elapsed = time.perf_counter() - t0
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.students} students × {summary.exercises} exercises: "
                f"{summary.submissions} submissions and {summary.scores} scores, "
                f"{summary.quiz_attempts} attempts at {QUIZ_SLUG} in {elapsed:.1f} s"
            )
        )
