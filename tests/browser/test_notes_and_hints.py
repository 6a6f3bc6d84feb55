"""In a real browser (Debian Chromium via Playwright), with a real Celery worker: a §
link in a statement and in a feedback message leads to the right anchor of the notes;
a notes page shows its original (Hinglish) heading and its exercises; failed attempts
open hints without a reload, and the request button opens the next one.

With SCREENSHOT_DIR set, the tests also save what they show there as PNGs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from grader.models import HintUnlock
from tests.browser.ux import shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]


def _log_in(page: Page, base: str) -> User:
    user = User.objects.create_user("student", password="demo-password-1")
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "student")
    page.fill("#id_password", "demo-password-1")
    page.click("button[type=submit]")
    expect(page.locator("#exercise-list")).to_be_visible()
    return user


@pytest.mark.django_db(transaction=True)
def test_section_links_in_a_statement_and_in_feedback_lead_to_the_notes(
    course, live_server, celery_worker_process, broker_app, page: Page
) -> None:
    base = live_server.url
    _log_in(page, base)

    page.goto(f"{base}/exercises/bce-manual-gradients/")
    expect(page.locator(".crumbs .section-link")).to_have_text("§4")
    page.locator(".statement a.section-link", has_text="§4").first.click()
    expect(page).to_have_url(f"{base}/notes/4/#s4")
    expect(page.locator("h1#s4")).to_have_text("§4 A neural-network example, binary cross-entropy")
    expect(page.locator("#original-heading")).to_contain_text("Manual Calculation vs. Autograd")
    expect(page.locator("#section-exercises")).not_to_contain_text("The power rule")
    expect(page.locator("#section-exercises")).to_contain_text(
        "Binary cross-entropy gradients by hand"
    )
    expect(page.locator("#section-exercises")).to_contain_text("with loss.backward()")

    page.goto(f"{base}/exercises/chain-rule/")
    page.fill("input[name=answer]", "cos(x^2)")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#score")).to_have_text("0 / 10", timeout=60_000)
    link = page.locator(".misconception a.section-link")
    expect(link).to_have_text("§2")
    shot(page, "exercise-with-section-link.png")
    link.click()
    expect(page).to_have_url(f"{base}/notes/2/#s2")
    expect(page.locator("h1#s2")).to_be_in_viewport()
    expect(page.locator("#section-exercises")).to_contain_text("The chain rule")


@pytest.mark.django_db(transaction=True)
def test_a_notes_page_shows_its_hinglish_heading_and_its_exercises(
    course, live_server, page: Page
) -> None:
    base = live_server.url
    _log_in(page, base)
    page.click("header nav >> text=Notes")
    page.click("#notes-index >> text=§3 What autograd is")
    expect(page).to_have_url(f"{base}/notes/3/#s3")
    expect(page.locator("#original-heading .original")).to_have_text(
        "Autograd Kya Hai? (What is Autograd?)"
    )
    expect(page.locator(".original-quote")).to_contain_text("automatic differentiation engine hai")
    expect(page.locator("#section-exercises")).to_contain_text("Autograd step by step")
    expect(page.locator("#section-questions li").first).to_contain_text("question")
    expect(page.locator(".notes-body math").first).to_be_visible()
    shot(page, "notes-page-hinglish-heading.png")


@pytest.mark.django_db(transaction=True)
def test_two_failed_attempts_open_two_hints_and_the_button_opens_the_third(
    course, live_server, celery_worker_process, broker_app, page: Page
) -> None:
    base = live_server.url
    user = _log_in(page, base)
    page.goto(f"{base}/exercises/chain-rule/")
    expect(page.locator("#hints .hint.closed")).to_have_count(3)

    page.fill("input[name=answer]", "cos(x^2)")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#score")).to_have_text("0 / 10", timeout=60_000)
    # The ladder refreshes when the attempt's result arrives, without a reload.
    expect(page.locator("#hints .hint.open")).to_have_count(1)
    page.fill("input[name=answer]", "2*x*sin(x^2)")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#attempts tbody tr")).to_have_count(2, timeout=60_000)
    expect(page.locator("#hints .hint.open")).to_have_count(2)
    expect(page.locator("#hints .hint.open").nth(1).locator("a.section-link")).to_have_text("§2")
    expect(page.locator("#hint-request")).to_have_text("Show hint 3")
    page.locator("#hints").scroll_into_view_if_needed()
    shot(page, "hint-ladder-after-two-failed-attempts.png")

    page.click("#hint-request")
    expect(page.locator("#hints .hint.open")).to_have_count(3)
    expect(page.locator("#hint-request")).to_have_count(0)
    unlocks = HintUnlock.objects.filter(student=user, exercise=course["chain-rule"])
    assert [(u.number, u.how) for u in unlocks.order_by("number")] == [
        (1, "after_failures"),
        (2, "after_failures"),
        (3, "requested"),
    ]
