"""Submitting in a real browser, graded by a real worker: the button is disabled while
the answer is on its way, the card shows queued, running, then the score with the time
it took; a double click stores one attempt; a runtime error marks its line; a formula
gets a live preview and an unreadable one is refused before it is sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from grader.models import Submission
from tests.browser.ux import log_in, set_code, shoot
from tests.support.answers import SLOW_BASICS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]


@pytest.mark.django_db(transaction=True)
def test_submit_shows_running_with_elapsed_time_then_the_score(
    course, live_server, celery_worker_process, broker_app, page: Page, settings
) -> None:
    settings.GRADER_SUBMIT_WAIT_SECONDS = 0  # the card comes back at once, still pending
    log_in(page, live_server.url, "/exercises/autograd-basics/")
    set_code(page, SLOW_BASICS.format(seconds=3))
    page.check("input[name=part_grad_fn][value=pow]")
    page.click("#submit-answer")
    expect(page.locator("#submit-answer")).to_be_disabled()
    expect(page.locator("#result-card")).to_contain_text("running your answer", timeout=30_000)
    expect(page.locator("#result")).to_have_attribute("aria-live", "polite")
    progress = page.locator("#submit-progress")
    expect(progress).to_contain_text("Running your answer…")
    first = page.locator("#result-card .elapsed").inner_text()
    page.wait_for_timeout(600)
    assert page.locator("#result-card .elapsed").inner_text() != first  # the clock runs
    expect(page.locator("#submit-answer")).to_be_disabled()
    shoot(page, "exercise-while-grading")

    expect(page.locator("#score")).to_have_text("10 / 10", timeout=60_000)
    expect(page.locator("#result-card .elapsed")).to_contain_text("graded in")
    expect(page.locator("#submit-answer")).to_be_enabled()
    expect(progress).to_have_text("")
    expect(page.locator("#attempts tbody tr")).to_have_count(1)
    shoot(page, "exercise-graded")


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_submit_stores_one_attempt(
    course, live_server, celery_worker_process, broker_app, page: Page
) -> None:
    log_in(page, live_server.url, "/exercises/chain-rule/")
    page.fill("input[name=answer]", "2*x*cos(x^2)")
    page.dblclick("#submit-answer")
    expect(page.locator("#score")).to_have_text("10 / 10", timeout=60_000)
    expect(page.locator("#attempts tbody tr")).to_have_count(1)
    assert Submission.objects.count() == 1
    # The next click is a new attempt (a new key), and is stored as one.
    page.fill("input[name=answer]", "cos(x^2)")
    page.click("#submit-answer")
    expect(page.locator("#score")).to_have_text("0 / 10", timeout=60_000)
    expect(page.locator("#attempts tbody tr")).to_have_count(2)
    keys = set(Submission.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 2 and "" not in keys


@pytest.mark.django_db(transaction=True)
def test_a_runtime_error_marks_its_line_in_the_editor(
    course, live_server, celery_worker_process, broker_app, page: Page
) -> None:
    log_in(page, live_server.url, "/exercises/fix-runtime-error/")
    page.wait_for_selector(".CodeMirror")
    page.click("#submit-answer")  # the starter: backward() on line 11 raises
    expect(page.locator("#result-card")).to_have_attribute("data-error-line", "11", timeout=60_000)
    expect(page.locator(".CodeMirror .cm-error-line")).to_have_count(1)
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.CodeMirror-code > div')]"
            ".findIndex(d => d.querySelector('.cm-error-line'))"
        )
        == 10
    )


@pytest.mark.django_db(transaction=True)
def test_a_formula_is_previewed_as_typed_and_an_unreadable_one_is_not_sent(
    course, live_server, celery_worker_process, broker_app, page: Page
) -> None:
    log_in(page, live_server.url, "/exercises/chain-rule/")
    box = page.locator("input[name=answer]")
    box.fill("")
    box.press_sequentially("2x cos(x^2")
    preview = page.locator("#preview-answer")
    expect(preview).to_contain_text("Cannot read this yet")
    page.click("#submit-answer")
    box.press("Enter")
    page.wait_for_timeout(500)
    assert Submission.objects.count() == 0  # refused in the browser: nothing sent
    assert page.evaluate("document.querySelector('input[name=answer]').validity.valid") is False
    box.press_sequentially(")")
    expect(preview).to_contain_text("We read your formula as")
    expect(preview.locator("code")).to_have_text("2*x*cos(x^2)")
    page.click("#submit-answer")
    expect(page.locator("#score")).to_have_text("10 / 10", timeout=60_000)
