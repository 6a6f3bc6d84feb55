from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from exercises.course import CourseError, load_spec
from exercises.spec import variant_seed
from grader import kinds
from grader.grading import grade_answer


class Command(BaseCommand):
    help = (
        "Grade one answer file against an exercise, synchronously, through the same sandbox "
        "and comparison as the workers. Prints only the result JSON on stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("answer_file")
        parser.add_argument(
            "--student",
            default="cli",
            help="whose variant to grade: a username (that student's own numbers and "
            "points, as the worker gives them) or any other label (default: cli)",
        )
        parser.add_argument("--attempt", type=int, default=1)
        parser.add_argument(
            "--parts",
            default="{}",
            help='JSON answers to choice/numeric parts, e.g. \'{"q1": "b"}\'',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Logs go to stderr so stdout stays machine-readable JSON.
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
        try:
            spec = load_spec(options["slug"])
        except CourseError as exc:
            raise CommandError(str(exc)) from exc
        path = Path(options["answer_file"])
        try:
            answer = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        if spec.protocol in kinds.kind("formula").protocols:
            answer = answer.strip()  # as intake stores it
        student = User.objects.filter(username=options["student"]).first()
        outcome = grade_answer(
            spec,
            answer=answer,
            parts=json.loads(options["parts"]),
            # The worker's seed for a known student (services.submission_create).
            seed=variant_seed(student.pk if student else options["student"], spec.slug),
            attempt=options["attempt"],
        )
        payload = {
            "exercise": spec.slug,
            "student": options["student"],
            "attempt": options["attempt"],
            "params": outcome.results["extra"].get("params", {}),
            "status": "graded",
            "score": outcome.score,
            "max_score": outcome.max_score,
            "output": outcome.results["output"],
            "misconception": outcome.misconception or None,
            "read_as": outcome.results["extra"].get("read_as"),
            "checks": outcome.results["tests"],
            "timings_ms": outcome.timings,
        }
        self.stdout.write(json.dumps(payload, indent=2, default=str))
