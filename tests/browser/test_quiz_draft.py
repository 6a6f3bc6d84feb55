"""Quiz answers survive a reload, in a real browser: what the student types is saved
as a draft on the server, comes back after a reload (with the formula's preview), and
leaving with unsaved changes asks first. An unreadable formula is refused before the
answers are sent; the submit shows its progress and a real worker grades the attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from exercises.models import Quiz, QuizAttempt
from tests.browser.ux import log_in, shoot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]
SLUG = "autograd-quiz"


def _open_quiz() -> None:
    quiz = Quiz.objects.get(slug=SLUG)
    quiz.opens_at = timezone.now() - timedelta(hours=1)
    quiz.closes_at = timezone.now() + timedelta(hours=1)
    quiz.save()


@pytest.mark.django_db(transaction=True)
def test_quiz_answers_survive_a_reload_and_an_unreadable_formula_is_refused(
    course, live_server, celery_worker_process, broker_app, page: Page
) -> None:
    _open_quiz()
    log_in(page, live_server.url, f"/quizzes/{SLUG}/")
    page.click("#start-form button[type=submit]")
    expect(page.locator("#draft-status")).to_contain_text("saved as a draft as you type")
    page.wait_for_load_state("load")  # htmx listens before anything is typed

    page.fill("input[name='q_power-slope']", "3.5")
    page.check("input[name='q_why-autograd'][value=nested]")
    page.locator("input[name='q_chain-log']").press_sequentially("2x/(1+x^2)")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at", timeout=10_000)
    attempt = QuizAttempt.objects.get()
    assert attempt.draft_answers == {
        "power-slope": "3.5",
        "why-autograd": "nested",
        "chain-log": "2x/(1+x^2)",
    }

    page.reload()
    assert page.input_value("input[name='q_power-slope']") == "3.5"
    expect(page.locator("input[name='q_why-autograd'][value=nested]")).to_be_checked()
    assert page.input_value("input[name='q_chain-log']") == "2x/(1+x^2)"
    expect(page.locator("#preview-chain-log code")).to_have_text("2*x/(1 + x^2)")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    shoot(page, "quiz-draft-after-reload")

    # An unreadable formula: the preview says why, and the submit does not go.
    page.locator("input[name='q_chain-cos-cube']").press_sequentially("3x^2 sin(")
    expect(page.locator("#preview-chain-cos-cube")).to_contain_text("Cannot read this yet")
    page.click("#quiz-submit")
    page.wait_for_timeout(300)
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.IN_PROGRESS
    expect(page.locator("#quiz-submit")).to_be_enabled()

    # Leaving with changes not yet saved asks first (here in a second tab).
    other = page.context.new_page()
    other.goto(page.url)
    other.fill("input[name='q_bce-dldz']", "0.25")
    with other.expect_event("dialog") as asked:
        other.close(run_before_unload=True)
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()

    # Fixed, the answers go: the button is disabled as the submit starts, the page shows
    # the progress, then the worker's score.
    page.fill("input[name='q_chain-cos-cube']", "3x^2 cos(x^3)")
    expect(page.locator("#preview-chain-cos-cube")).to_contain_text("We read your formula as")
    disabled = page.evaluate(
        "() => { const b = document.getElementById('quiz-submit'); b.click(); return b.disabled; }"
    )
    assert disabled is True
    expect(page.locator("#quiz-score")).to_be_visible(timeout=60_000)
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.GRADED
    assert attempt.answers["chain-log"] == "2x/(1+x^2)" and attempt.answers["power-slope"] == "3.5"
