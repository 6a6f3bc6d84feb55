"""A student in a real browser (Debian Chromium via Playwright): log in, answer the
chain-rule exercise, watch the result arrive without reloading."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.browser.ux import shot

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

    # A mistake nobody declared still gets a reason, read from the numbers.
    page.fill("input[name=answer]", "4x cos(x^2)")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#attempts tbody tr")).to_have_count(3, timeout=60_000)
    expect(page.locator("#result-card .summary")).to_contain_text(
        "exactly 2 times the right value", timeout=60_000
    )
    expect(page.locator("#result-card .summary")).to_contain_text("at x = ")
    shot(page.locator("#result-card"), "undeclared-mistake.png")


@pytest.mark.django_db(transaction=True)
def test_the_result_card_draws_the_students_graph_beside_the_reference(
    course,
    live_server,
    celery_worker_process,
    broker_app,
    page: Page,
) -> None:
    student = User.objects.create_user("student", password="demo-password-1")
    page.goto(f"{live_server.url}/accounts/login/?next=/exercises/autograd-basics/")
    page.fill("#id_username", student.username)
    page.fill("#id_password", "demo-password-1")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Autograd")
    wrong = "import torch\n\nx = torch.tensor(x0, requires_grad=True)\ny = x * x\nz = torch.cos(y)\nz.backward()\n"
    # The code editor mirrors the textarea: set the answer the way a paste would.
    page.evaluate(
        "(text) => { const cm = document.querySelector('.CodeMirror');"
        " if (cm && cm.CodeMirror) { cm.CodeMirror.setValue(text); }"
        " else { document.querySelector('textarea[name=answer]').value = text; } }",
        wrong,
    )
    page.click("#answer-form button[type=submit]")
    figure = page.locator("#graph-pictures")
    expect(figure).to_contain_text(
        "Your graph has CosBackward0 (giving z) where the reference has SinBackward0",
        timeout=60_000,
    )
    for image in ("#graph-student", "#graph-reference"):
        expect(page.locator(image)).to_be_visible()
        width = page.locator(image).evaluate("img => img.naturalWidth")
        assert width > 50  # the SVG decoded and drew
    shot(page.locator("#result-card"), "graph-result-card.png")
