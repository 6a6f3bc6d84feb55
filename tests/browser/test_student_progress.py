"""A student sees their progress at a glance, at 1280 px and 390 px: the course total,
each section's progress and the quiz on the same list as the exercises; the page never
scrolls sideways. The instructor's page for that student shows the same total and the
chart over time.

With SCREENSHOT_DIR set, the tests also save what they show there as PNGs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import instructor_group
from exercises.models import Exercise, Quiz, QuizAttempt
from exercises.spec import variant_seed
from grader.models import Submission
from grader.services import score_refresh
from tests.browser.ux import shot

pytestmark = [pytest.mark.browser]


def _graded(student: User, exercise, score: float, minutes_ago: int) -> None:
    attempt = Submission.objects.filter(student=student, exercise=exercise).count() + 1
    Submission.objects.create(
        student=student, exercise=exercise, answer="…", status="graded", score=score,
        max_score=exercise.max_score, seed=variant_seed(student.pk, exercise.slug),
        attempt=attempt, grader_version=settings.GRADER_VERSION,
        submitted_at=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip
    score_refresh(student_id=student.pk, exercise=exercise)


def _log_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_a_student_sees_the_course_total_sections_and_the_quiz_on_one_list(
    course, live_server, page: Page
) -> None:
    alice = User.objects.create_user("alice", password="alice-password-1")
    _graded(alice, course["chain-rule"], 0, 50)
    _graded(alice, course["chain-rule"], 10, 40)
    _graded(alice, course["nested-chain-rule"], 0, 30)
    _graded(alice, course["nested-chain-rule"], 5, 20)
    quiz = Quiz.objects.get()
    QuizAttempt.objects.create(
        quiz=quiz, student=alice, number=1, seed=1, status="graded", score=12,
        max_score=quiz.max_score, submitted_at=timezone.now() - timedelta(minutes=10),
    )  # fmt: skip
    # Every exercise and the quiz count towards the total, whatever the course holds.
    total = sum(e.max_score for e in Exercise.objects.all()) + quiz.max_score
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 1280:
            _log_in(page, f"{live_server.url}/", "alice", "alice-password-1")
        else:
            page.reload()
        expect(page.locator("#course-total")).to_contain_text(f"Course total: 27 / {total:g}")
        expect(page.locator('#section-progress tr[data-section="2"]')).to_contain_text("1 of 2")
        quiz_row = page.locator(f'#exercise-list tr[data-slug="{quiz.slug}"]')
        expect(quiz_row).to_contain_text("12 / 20")
        assert not page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        shot(page, f"student-progress-{width}.png")

    ines = User.objects.create_user("ines", password="ines-password-1")
    ines.groups.add(instructor_group())
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page, f"{live_server.url}/dashboard/students/{alice.pk}/", "ines", "ines-password-1")
    expect(page.locator("#course-total")).to_contain_text("27")
    expect(page.locator("#course-total")).to_contain_text(f"/ {total:g}")
    chart = page.locator("figure.chart svg")
    expect(chart).to_be_visible()
    # Three series (two exercises, the quiz), three colours as the browser computes
    # them, and the two lines drawn with different dash patterns.
    fills = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('figure.chart svg circle.dot')]
            .map(c => [c.closest('.series').classList[1], getComputedStyle(c).fill]))"""
    )
    assert len(fills) == 3 and len(set(fills.values())) == 3, fills
    dashes = page.evaluate(
        """() => [...document.querySelectorAll('figure.chart svg .plot .series path.line')]
            .map(p => getComputedStyle(p).strokeDasharray)"""
    )
    assert len(dashes) == 2 and len(set(dashes)) == 2, dashes
    shot(page.locator("figure.chart"), "student-chart-1280.png")
