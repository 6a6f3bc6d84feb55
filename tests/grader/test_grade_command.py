"""`manage.py grade` grades as the worker does: same limits, same seed for a student,
same result; and it says which numbers the student was given."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from exercises.models import Exercise
from grader.services import submission_create, submission_grade

# A wrong answer, so that the comparison's own words are compared too.
CASES = [
    ("chain-rule", "cos(x^2)"),
    ("bce-manual-gradients", "import torch\ndef grads(x, y, w, b):\n    return 0.0, 0.0\n"),
]


def _cli(slug: str, answer: str, *, student: str, attempt: int, tmp_path: Path) -> dict:
    path = tmp_path / "answer.txt"
    path.write_text(answer)
    out = StringIO()
    call_command("grade", slug, str(path), student=student, attempt=attempt, stdout=out)
    result: dict = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize(("slug", "answer"), CASES)
def test_the_cli_and_the_worker_give_the_same_result_for_the_same_student_and_attempt(
    course, student, tmp_path: Path, slug: str, answer: str
) -> None:
    submission = submission_create(
        student=student, exercise=Exercise.objects.get(slug=slug), answer=answer
    )
    graded = submission_grade(submission_id=submission.pk)
    assert graded is not None
    cli = _cli(slug, answer, student=student.username, attempt=graded.attempt, tmp_path=tmp_path)
    worker = graded.results
    assert (cli["score"], cli["max_score"], cli["output"]) == (
        worker["score"],
        worker["max_score"],
        worker["output"],
    )
    assert cli["checks"] == worker["tests"]
    assert cli["params"] == worker["extra"]["params"]
    assert cli["misconception"] == (graded.misconception or None)
