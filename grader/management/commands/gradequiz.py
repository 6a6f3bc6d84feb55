from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exercises.course import CourseError
from exercises.quiz import load_quiz_spec
from exercises.spec import variant_seed
from grader.quiz_grading import grade_quiz, reference_quiz_answers


class Command(BaseCommand):
    help = (
        "Grade a JSON file of answers ({question id: answer}) against a quiz, synchronously, "
        "as a submitted attempt is graded. Prints only the result JSON on stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument(
            "answers_file", help="a JSON object of answers, or '-' for the reference answers"
        )
        parser.add_argument(
            "--student", default="cli", help="whose variant to grade (default: cli)"
        )
        parser.add_argument("--attempt", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
        try:
            spec = load_quiz_spec(options["slug"])
        except CourseError as exc:
            raise CommandError(str(exc)) from exc
        # The same seed as the attempt of that number by that student would get.
        seed = variant_seed(options["student"], f"{spec.slug}:{options['attempt']}")
        if options["answers_file"] == "-":
            answers = reference_quiz_answers(spec, spec.params(seed))
        else:
            path = Path(options["answers_file"])
            try:
                answers = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
            if not isinstance(answers, dict):
                raise CommandError(f"{path}: must be a JSON object of question id → answer")
        outcome = grade_quiz(spec, answers=answers, seed=seed, attempt=options["attempt"])
        payload = {
            "quiz": spec.slug,
            "score": outcome.score,
            "max_score": outcome.max_score,
            "output": outcome.results["output"],
            "params": outcome.results["extra"]["params"],
            "questions": outcome.results["tests"],
            "timings_ms": outcome.timings,
        }
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
