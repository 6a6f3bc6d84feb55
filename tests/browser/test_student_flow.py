"""A student in a real browser (Debian Chromium via Playwright): log in, answer the
chain-rule exercise, watch the result arrive without reloading."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]


@pytest.mark.django_db(transaction=True)
def test_student_answers_chain_rule_and_sees_score_and_feedback(
    course,
    live_server,
    celery_worker_process,
    broker_app,
    page: Page,
) -> None:
    User.objects.create_user("student", password="demo-password-1")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_username", "student")
    page.fill("#id_password", "demo-password-1")
    page.click("button[type=submit]")
    expect(page.locator("#exercise-list")).to_contain_text("The chain rule")

    page.click("text=The chain rule")
    expect(page.locator(".statement math").first).to_be_visible()
    page.fill("input[name=answer]", "2*x*cos(x^2)")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#score")).to_have_text("10 / 10", timeout=60_000)
    expect(page.locator(".read-as")).to_contain_text("2*x*cos(x^2)")

    page.fill("input[name=answer]", "cos(x^2)")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#score")).to_have_text("0 / 10", timeout=60_000)
    expect(page.locator(".misconception")).to_contain_text("inner factor")
    expect(page.locator("#attempts tbody tr")).to_have_count(2)
