"""The staff pages in a real browser at a laptop's 1280 px and a phone's 390 px: the
gradebook fits 1280 px with titles as headers, the page never scrolls sideways, and a
table that is wider than the screen scrolls in its own box with the student column
kept in view. The quiz statistics page likewise.

With SCREENSHOT_DIR set, the tests also save what they show there as PNGs."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import instructor_group
from exercises.models import Exercise, Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from exercises.spec import variant_seed
from grader.models import Submission
from grader.quiz_attempts import quiz_attempt_grade, quiz_attempt_start, quiz_attempt_submit
from grader.quiz_grading import reference_quiz_answers
from grader.services import score_refresh
from tests.browser.ux import shot

pytestmark = [pytest.mark.browser]

FIRST = ("Ada", "Grace", "Émile", "Noor", "Kenji", "Zoë", "Maximilian", "Ana")
LAST = ("Lovelace", "Hopper", "Noether", "Okafor-Whitfield", "Sato", "Müller", "Chen")


def _log_in(page: Page, url: str) -> None:
    User.objects.create_user("ines", password="ines-password-1").groups.add(instructor_group())
    page.goto(url)
    page.fill("#id_username", "ines")
    page.fill("#id_password", "ines-password-1")
    page.click("button[type=submit]")


def _page_scrolls_sideways(page: Page) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


def _class(students: int) -> None:
    """Students with a score on every exercise (one to three attempts) and a graded quiz
    attempt, stored directly: the layout is under test here, not the grading."""
    rng = random.Random(7)
    quiz = Quiz.objects.get()
    now = timezone.now()
    for i in range(students):
        student = User.objects.create_user(
            f"student{i + 1:02d}", first_name=rng.choice(FIRST), last_name=rng.choice(LAST)
        )
        for exercise in Exercise.objects.all():
            for attempt in range(1, rng.randint(1, 3) + 1):
                score = rng.choice([0.0, exercise.max_score / 2, exercise.max_score])
                Submission.objects.create(
                    student=student, exercise=exercise, answer="…", status="graded",
                    score=score, max_score=exercise.max_score, attempt=attempt,
                    seed=variant_seed(student.pk, exercise.slug),
                    grader_version=settings.GRADER_VERSION,
                    submitted_at=now - timedelta(hours=rng.randint(1, 200)),
                )  # fmt: skip
            score_refresh(student_id=student.pk, exercise=exercise)
        QuizAttempt.objects.create(
            quiz=quiz, student=student, number=1, seed=1, status="graded",
            score=float(rng.randint(0, int(quiz.max_score))), max_score=quiz.max_score,
        )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_gradebook_fits_1280_px_and_keeps_the_student_column_in_view_at_390(
    course, live_server, page: Page
) -> None:
    _class(24)
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, f"{live_server.url}/dashboard/")
    expect(page.locator("h1")).to_have_text("Gradebook")
    expect(page.locator("#gradebook tbody tr")).to_have_count(24)
    head = page.locator("#gradebook thead")
    expect(head).to_contain_text("The chain rule: d/dx sin(x²)")  # titles, not slugs
    expect(head).to_contain_text("Autograd quiz (§1–8)")
    box = page.locator(".gradebook-scroll")
    assert not _page_scrolls_sideways(page)
    # At 1280 px every column is on screen: nothing to scroll, even inside the box.
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth"), box.evaluate(
        "el => [el.scrollWidth, el.clientWidth]"
    )
    shot(page, "gradebook-1280.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert not _page_scrolls_sideways(page)
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # scrolls in its box
    first = page.locator("#gradebook tbody tr").first.locator("th.student")
    left_before = first.bounding_box()
    box.evaluate("el => { el.scrollLeft = 600; }")
    assert box.evaluate("el => el.scrollLeft") > 0
    left_after = first.bounding_box()
    assert left_before and left_after
    assert abs(left_after["x"] - left_before["x"]) < 1  # sticky: it did not move
    # and it is not covered by the cells scrolled under it
    covering = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th')?.className || ''",
        [left_after["x"] + 5, left_after["y"] + left_after["height"] / 2],
    )
    assert "student" in covering
    box.evaluate("el => { el.scrollLeft = 0; }")
    shot(page, "gradebook-390.png")


@pytest.mark.django_db(transaction=True)
def test_the_quiz_statistics_page_at_1280_and_390_px(course, live_server, page: Page) -> None:
    quiz = Quiz.objects.get()
    Quiz.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=1)
    )
    quiz.refresh_from_db()
    spec = load_quiz_spec(quiz.slug)
    wrong: list[dict[str, Any]] = [
        {},
        {"why-autograd": "single", "chain-log": "1/(1+x^2)"},
        {"why-autograd": "numeric", "chain-cos-cube": "-sin(x^3)", "power-slope": "0"},
        {"why-autograd": "single", "chain-log": "1/(1+x^2)", "grad-fn-mul": "pow"},
        {"which-raise": ["no-grad"], "bce-dldz": "1"},
    ]
    for i, change in enumerate(wrong):  # graded by the real services
        attempt = quiz_attempt_start(student=User.objects.create_user(f"s{i}"), quiz=quiz)
        answers = reference_quiz_answers(spec, spec.params(attempt.seed)) | change
        quiz_attempt_submit(attempt=attempt, answers=answers)
        quiz_attempt_grade(attempt_id=attempt.pk)

    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, f"{live_server.url}/dashboard/quizzes/{quiz.slug}/")
    expect(page.locator("h1")).to_contain_text("Autograd quiz")
    expect(page.locator("#item-analysis tbody tr")).to_have_count(12)
    expect(page.locator('#item-analysis tr[data-item="why-autograd"] .difficulty')).to_have_text(
        "40%"
    )
    assert not _page_scrolls_sideways(page)
    shot(page, "quiz-stats-1280.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert not _page_scrolls_sideways(page)
    table_box = page.locator("#item-analysis").locator("xpath=..")
    assert table_box.evaluate("el => el.scrollWidth > el.clientWidth")  # its own box
    shot(page, "quiz-stats-390.png")
