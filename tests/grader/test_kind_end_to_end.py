"""A new answer kind needs nothing but its module and template: a quiz question of the
`order` kind (the worked example of docs/authoring.md) travels the whole way — loaded,
validated by checkcourse, shown with its widget, stored on submit, graded by the worker's
function and shown with its reason — with no other change."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

from django.test import Client
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_folder
from exercises.services import course_load
from grader.quiz_attempts import quiz_attempt_grade
from grader.validation import validate_quiz

CONTENT = Path(__file__).resolve().parents[2] / "exercises" / "content"
SLUG = "autograd-quiz"
ORDER = {
    "id": "steps",
    "kind": "order",
    "section": "5",
    "max_score": 2,
    "prompt": "Put the steps of using autograd in the order of §5.",
    "steps": [
        {"id": "track", "text": "x = torch.tensor(3.0, requires_grad=True)"},
        {"id": "forward", "text": "y = x**2 records grad_fn"},
        {"id": "backward", "text": "y.backward()"},
        {"id": "read", "text": "read x.grad"},
    ],
}


def _content_with_an_order_question(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT / SLUG, root / SLUG)
    quiz_json = root / SLUG / "quiz.json"
    info = json.loads(quiz_json.read_text())
    info["questions"] = [ORDER]  # the order question alone keeps the test about it
    info.pop("time_limit_minutes", None)
    quiz_json.write_text(json.dumps(info))
    (root / SLUG / "grading.py").unlink()  # it holds the formula questions' references
    return root


def test_an_order_question_goes_the_whole_way(db: None, settings, tmp_path: Path, student) -> None:
    root = _content_with_an_order_question(tmp_path)
    settings.COURSE_CONTENT_DIR = root
    report = validate_quiz(load_quiz_folder(root / SLUG))
    assert report.ok, report.problems
    course_load(root=root)
    Quiz.objects.filter(slug=SLUG).update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=1)
    )
    client = Client()
    client.force_login(student)
    start = client.post(f"/quizzes/{SLUG}/start")
    page = client.get(start["Location"]).content.decode()
    assert page.count('name="q_steps_') == 4 and "read x.grad" in page  # one select per place

    order = {
        "q_steps_0": "track",
        "q_steps_1": "forward",
        "q_steps_2": "read",
        "q_steps_3": "backward",
    }
    assert client.post(start["Location"], order).status_code == 302
    attempt = QuizAttempt.objects.get(student=student)
    assert attempt.answers == {"steps": ["track", "forward", "read", "backward"]}
    quiz_attempt_grade(attempt_id=attempt.pk)  # the worker's function
    result = client.get(start["Location"]).content.decode()
    assert "1 / 2" in result
    assert "Step 3 should be “y.backward()”, not “read x.grad”." in result
    assert "x = torch.tensor(3.0, requires_grad=True) → y = x**2 records grad_fn" in result
