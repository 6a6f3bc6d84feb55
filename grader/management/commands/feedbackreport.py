from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from grader.corpus import grade_entry, load_corpus, solved


class Command(BaseCommand):
    help = (
        "Grade every answer of the wrong-answer corpus through the real pipeline and print "
        "exercise, answer, score, the feedback's first line and whether it was numbers "
        "only; then the share of numbers-only feedback."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--corpus",
            default=str(Path(settings.BASE_DIR) / "tests" / "corpus"),
            help="the corpus folder (one sub-folder per exercise)",
        )
        parser.add_argument("--slug", action="append", help="only these exercises")
        parser.add_argument("--width", type=int, default=110, help="feedback column width")

    def handle(self, *args: Any, **options: Any) -> None:
        entries = load_corpus(Path(options["corpus"]))
        if options["slug"]:
            entries = [e for e in entries if e.slug in options["slug"]]
        width = options["width"]
        self.stdout.write(f"{'exercise':24} {'answer':28} {'score':>9}  num  feedback")
        graded = []
        for entry in entries:
            g = grade_entry(entry)
            graded.append(g)
            flag = "YES" if g.numbers_only else "-  "
            line = " ".join(g.feedback.split())
            if len(line) > width:
                line = line[: width - 1] + "…"
            score = f"{g.score:g}/{g.max_score:g}"
            self.stdout.write(f"{entry.slug:24} {entry.name:28} {score:>9}  {flag}  {line}")
        numbers = sum(g.numbers_only for g in graded)
        full = [g for g in graded if solved(g)]
        share = numbers / len(graded) if graded else 0.0
        self.stdout.write(
            f"{len(graded)} wrong answers over {len({g.entry.slug for g in graded})} exercises: "
            f"{numbers} got numbers-only feedback ({share:.0%}); {len(full)} got full marks"
        )
        for g in full:
            self.stdout.write(f"  FULL MARKS: {g.entry.slug}/{g.entry.name} ({g.entry.what})")
