#!/usr/bin/env python
"""Run `manage.py grade` on every exercise's reference, starter and one misconception
answer (one the starter does not already show), and `manage.py gradequiz` on the quiz's
reference answers, no answers and an example with misconceptions; print one line per
run: the command, the score and what the feedback named.

    .venv/bin/python scripts/grade_course.py            # all exercises
    .venv/bin/python scripts/grade_course.py power-rule # some

The reference is graded with the right answers to the exercise's choice/numeric parts
(for the `cli` student's own variant, which is what `grade` uses by default); the
starter and the misconception answer are graded as code alone."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograd_course.settings")

import django  # noqa: E402

django.setup()

from exercises.course import _first, exercise_folders, load_folder  # noqa: E402
from exercises.quiz import quiz_folders  # noqa: E402
from exercises.spec import variant_seed  # noqa: E402
from grader.kinds import reference_answers  # noqa: E402


def _run(command: list[str]) -> dict[str, Any] | None:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    print("$ python " + shlex.join(command[1:]))
    if done.returncode != 0:
        print(f"  FAILED: {done.stderr.strip()}")
        return None
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def grade(slug: str, path: Path, parts: dict[str, object] | None = None) -> dict[str, Any] | None:
    command = [sys.executable, "manage.py", "grade", slug, str(path.relative_to(ROOT))]
    if parts:
        command += ["--parts", json.dumps(parts)]
    result = _run(command)
    if result is not None:
        named = f"  misconception={result['misconception']}" if result["misconception"] else ""
        print(
            f"  score {result['score']:g}/{result['max_score']:g}{named}  output: {result['output']}"
        )
    return result


def grade_quiz(slug: str, answers: str) -> dict[str, Any] | None:
    result = _run([sys.executable, "manage.py", "gradequiz", slug, answers])
    if result is not None:
        print(f"  score {result['score']:g}/{result['max_score']:g}  output: {result['output']}")
        for q in result["questions"]:
            if q.get("misconception"):
                print(
                    f"    {q['question']}: misconception={q['misconception']} read as {q['read_as']}: {q['output']}"
                )
    return result


def main(slugs: list[str]) -> int:
    ok = True
    for folder in exercise_folders():
        if slugs and folder.name not in slugs:
            continue
        spec = load_folder(folder)
        params = spec.params(variant_seed("cli", spec.slug))
        print(f"== {spec.slug} (§{spec.notes_section})")
        ok &= (
            grade(spec.slug, _first(folder, "solution"), reference_answers(spec.parts, params))
            is not None
        )
        starter = grade(spec.slug, _first(folder, "starter"))
        ok &= starter is not None
        shown = starter["misconception"] if starter else None
        wrong = [p for p in sorted((folder / "wrong").iterdir()) if p.stem != shown]
        ok &= grade(spec.slug, wrong[0]) is not None
    for folder in quiz_folders():
        if slugs and folder.name not in slugs:
            continue
        print(f"== {folder.name} (quiz)")
        ok &= grade_quiz(folder.name, "-") is not None
        for example in sorted((folder / "examples").glob("*.json")):
            ok &= grade_quiz(folder.name, str(example.relative_to(ROOT))) is not None
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
