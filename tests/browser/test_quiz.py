"""A student takes the autograd quiz in a real browser (Debian Chromium via Playwright):
log in through the form, start an attempt, answer choice, numeric (their own numbers)
and formula questions, submit, and read the score, the misconception named and how
each formula was read. A real Celery worker grades the attempt (formulas through the
sandbox), as it grades exercise answers; the page shows progress and the result arrives
without a reload."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from grader.quiz_grading import reference_quiz_answers
from tests.browser.ux import shot

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]
SLUG = "autograd-quiz"


def _open_quiz(**changes: object) -> Quiz:
    quiz = Quiz.objects.get(slug=SLUG)
    quiz.opens_at = timezone.now() - timedelta(hours=1)
    quiz.closes_at = timezone.now() + timedelta(hours=1)
    for name, value in changes.items():
        setattr(quiz, name, value)
    quiz.save()
    return quiz


def _log_in(page: Page, base: str) -> None:
    User.objects.create_user("student", password="demo-password-1")
    page.goto(f"{base}/quizzes/{SLUG}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/quizzes/{SLUG}/")
    page.fill("#id_username", "student")
    page.fill("#id_password", "demo-password-1")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Autograd quiz (§1–8)")


def _answer(page: Page, question: dict, value: object) -> None:
    name = f"q_{question['id']}"
    if question["kind"] == "choice":
        for option in value if isinstance(value, list) else [value]:
            page.check(f"input[name='{name}'][value='{option}']")
    else:
        page.fill(f"input[name='{name}']", str(value))


@pytest.mark.django_db(transaction=True)
def test_student_takes_the_quiz_and_sees_score_feedback_and_formula_readings(
    course,
    live_server,
    celery_worker_process,
    broker_app,
    page: Page,
) -> None:
    _open_quiz()
    _log_in(page, live_server.url)
    expect(page.locator("#quiz-rules")).to_contain_text("Time limit: 20 minutes")
    page.click("#start-form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/quizzes/{SLUG}/attempts/1/")
    page.wait_for_load_state("load")  # htmx listens before anything is typed
    expect(page.locator("#quiz-timer")).to_contain_text("Time left")
    expect(page.locator("#question-power-slope .prompt math").last).to_be_visible()

    # The right answers for this student's own variant, then two deliberate mistakes.
    attempt = QuizAttempt.objects.get()
    spec = load_quiz_spec(SLUG)
    answers = reference_quiz_answers(spec, spec.params(attempt.seed))
    answers["chain-cos-cube"] = "-sin(x^3)"  # the inner factor 3x² dropped
    answers["bce-logit"] = "sigmoid(x) - 1"
    answers["accumulate"] = str(spec.params(attempt.seed)["one_grad"])  # one backward's worth
    answers["after-forward"] = ["y-requires"]  # half of a select-all question
    for question in spec.questions:
        _answer(page, question, answers[question["id"]])
    page.fill("input[name='q_chain-log']", "")
    page.locator("input[name='q_chain-log']").press_sequentially("2x/(1+x^2)")
    expect(page.locator("#preview-chain-log code")).to_have_text(
        "2*x/(1 + x^2)"
    )  # read as you type
    expect(page.locator("#preview-chain-log math")).to_be_visible()
    page.click("#quiz-submit")
    expect(page.locator("#quiz-score")).to_have_text("15 / 20", timeout=30_000)
    expect(page.locator(".summary")).to_contain_text("9 of 12 questions right.")
    partial = page.locator("#result-after-forward")
    expect(partial).to_contain_text("1/2")  # partial credit, and what was left out
    expect(partial).to_contain_text("You left out “y.grad_fn is not None”.")
    wrong = page.locator("#result-chain-cos-cube")
    expect(wrong).to_have_attribute("data-status", "failed")
    expect(wrong.locator(".misconception")).to_have_attribute("data-name", "missing-inner-factor")
    expect(wrong.locator(".read-as math")).to_be_visible()
    expect(wrong.locator(".read-as code")).to_have_text("-sin(x^3)")
    expect(page.locator("#result-accumulate")).to_contain_text("three calls give three times")
    expect(page.locator("#result-chain-log .read-as code")).to_have_text("2*x/(1 + x^2)")
    expect(page.locator("#result-chain-log")).to_have_attribute("data-status", "passed")
    shot(page.locator("#quiz-results"), "quiz-result.png")

    page.click("text=Back to the quiz")
    expect(page.locator("#quiz-attempts tbody tr")).to_have_count(1)
    expect(page.locator("#quiz-attempts tr.kept")).to_contain_text("15 / 20")
    expect(page.locator("#start-form button")).to_have_text("Start attempt 2")


@pytest.mark.django_db(transaction=True)
def test_the_page_submits_itself_when_the_time_is_up(
    course,
    live_server,
    celery_worker_process,
    broker_app,
    page: Page,
) -> None:
    _open_quiz(time_limit_seconds=4)
    _log_in(page, live_server.url)
    page.click("#start-form button[type=submit]")
    page.check("input[name='q_why-autograd'][value='nested']")
    # Nobody clicks submit: the clock does, and the answer given so far counts.
    expect(page.locator("#quiz-score")).to_have_text("1 / 20", timeout=20_000)
    assert QuizAttempt.objects.get().answers == {"why-autograd": "nested"}
