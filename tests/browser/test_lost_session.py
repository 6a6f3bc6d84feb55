"""A session lost while an answer is being graded (a logout in another tab): the page's
next poll sends the whole page to the login, never the login page into the result card,
and after logging in the student is back on the exercise with the result."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from grader.models import Submission
from tests.browser.ux import log_in, set_code
from tests.support.answers import SLOW_BASICS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]


@pytest.mark.django_db(transaction=True)
def test_logging_out_in_another_tab_while_grading_sends_the_page_to_login_and_back(
    course, live_server, celery_worker_process, broker_app, page: Page, settings
) -> None:
    settings.GRADER_SUBMIT_WAIT_SECONDS = 0
    settings.GRADER_CARD_WAIT_SECONDS = 1  # the card asks again at least every few seconds
    base = live_server.url
    log_in(page, base, "/exercises/autograd-basics/")
    set_code(page, SLOW_BASICS.format(seconds=4))
    page.check("input[name=part_grad_fn][value=pow]")
    page.click("#submit-answer")
    expect(page.locator("#result-card")).to_contain_text("your answer", timeout=30_000)
    submission = Submission.objects.get()

    other = page.context.new_page()
    other.goto(f"{base}/quizzes/")
    other.click("header button:has-text('Log out')")
    expect(other.locator("header .who")).to_have_count(0)

    # The whole page goes to the login, which knows where to come back to.
    expect(page).to_have_url(
        re.compile(r"/accounts/login/\?next=/exercises/autograd-basics/"), timeout=20_000
    )
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#result")).to_have_count(0)
    expect(page.locator("header .who")).to_have_count(0)

    page.fill("#id_username", "student")
    page.fill("#id_password", "student-password-1")
    page.click("form button[type=submit]")
    expect(page).to_have_url(f"{base}/exercises/autograd-basics/?submission={submission.pk}")
    expect(page.locator("#score")).to_have_text("10 / 10", timeout=60_000)
