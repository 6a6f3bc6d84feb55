"""An exercise's item analysis: one line per check and per part, over each student's
kept submission graded by the real grader, next to their course total."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboard.item_selectors import course_totals, exercise_item_stats
from exercises.course import load_spec
from grader.services import submission_create, submission_grade

SLUG = "autograd-basics"


def _answer(course, student: User, code: str, choice: str) -> None:
    sub = submission_create(
        student=student, exercise=course[SLUG], answer=code, parts={"grad_fn": choice}
    )
    submission_grade(submission_id=sub.pk)


@pytest.fixture
def answered(course) -> dict[str, User]:
    spec = load_spec(SLUG)
    solution = (spec.folder / "solution.py").read_text()
    users = {name: User.objects.create_user(name) for name in ("ann", "ben", "cy")}
    _answer(course, users["ann"], solution, "pow")
    _answer(course, users["ben"], solution, "mul")
    _answer(course, users["cy"], course[SLUG].starter, "pow")
    _answer(course, users["cy"], "x = 1\n", "pow")  # worse: the best (first) one is kept
    return users


def test_each_check_and_part_has_difficulty_discrimination_and_answers(
    answered, instructor_client: Client, course
) -> None:
    items = {i.key: i for i in exercise_item_stats(exercise=course[SLUG], totals=course_totals())}
    part = items["part:grad_fn"]
    assert part.students == 3 and part.difficulty == pytest.approx(2 / 3)
    assert part.answers == [("<PowBackward0>", 2), ("<MulBackward0>", 1)]
    # cy's starter computes z but never calls backward(): that check passes for all
    # three, the gradient checks for two, and cy's misconception is named.
    assert items["check:z = sin(x²)"].difficulty == 1.0
    grad = items["check:x.grad = dz/dx"]
    assert grad.students == 3 and grad.difficulty == pytest.approx(2 / 3)
    assert grad.answers == [("(passed)", 2), ("misconception: tracking-not-started", 1)]
    # No variance in the item, no correlation: everyone got z right.
    assert items["check:z = sin(x²)"].point_biserial is None

    page = instructor_client.get(reverse("dashboard:exercise", args=[SLUG])).content.decode()
    table = page.split('id="item-analysis"')[1].split("</table>")[0]
    assert table.count("<tr data-item=") == len(items)
    row = table.split('data-item="part:grad_fn"')[1].split("</tr>")[0]
    assert '<td class="num difficulty">67%</td>' in row
    assert "&lt;MulBackward0&gt;" in row and "× 2" in row
