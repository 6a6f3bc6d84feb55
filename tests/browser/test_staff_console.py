"""An admin in a real browser: log in through the login form, regrade a whole exercise
in the console and watch its progress complete (the real worker grades), then override
a score and find the override in the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from exercises.spec import variant_seed
from grader.models import Score, Submission

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.xdist_group("worker")]


def _stale(student: User, exercise, answer: str, score: float) -> Submission:
    """A submission graded by an earlier, wrong reference: its score is stale."""
    return Submission.objects.create(
        student=student, exercise=exercise, answer=answer, status=Submission.Status.GRADED,
        score=score, max_score=exercise.max_score, results={"score": score, "tests": []},
        seed=variant_seed(student.pk, exercise.slug), attempt=1, grader_version="broken-ref",
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_admin_regrades_an_exercise_watches_it_complete_and_overrides_a_score(
    course,
    live_server,
    celery_worker_process,
    broker_app,
    page: Page,
) -> None:
    User.objects.create_user("root", password="root-password-1", is_staff=True, is_superuser=True)
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    right = _stale(alice, course["chain-rule"], "2*x*cos(x^2)", 3.0)
    wrong = _stale(bob, course["chain-rule"], "cos(x^2)", 10.0)

    page.goto(f"{live_server.url}/console/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "root-password-1")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Submissions")
    expect(page.locator("#submissions tbody tr")).to_have_count(2)

    page.select_option("#regrade-exercise select[name=exercise]", "chain-rule")
    page.fill("#regrade-exercise input[name=reason]", "reference fixed")
    page.click("#regrade-exercise button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Regrade #")
    # htmx polls the progress until the worker has graded both submissions.
    expect(page.locator("#regrade-progress [data-state=complete]")).to_contain_text(
        "Complete: 2 of 2 submissions regraded", timeout=90_000
    )
    right.refresh_from_db()
    wrong.refresh_from_db()
    assert (right.score, wrong.score) == (10, 0)

    page.goto(f"{live_server.url}/console/submissions/{wrong.pk}/")
    expect(page.locator("#graded-score")).to_have_text("0 / 10")
    expect(page.locator("#history")).to_contain_text("broken-ref")
    page.fill("#override-form input[name=score]", "4")
    page.fill("#override-form textarea[name=reason]", "partial credit: outer derivative right")
    page.click("#override-form button[type=submit]")
    expect(page.locator("#override-score")).to_contain_text("4")
    assert Score.objects.get(student=bob, exercise=course["chain-rule"]).kept_score == 4

    page.click("nav.subnav >> text=Audit log")
    row = page.locator("#audit-log tr.audit-override_set")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("root")
    expect(row).to_contain_text("partial credit: outer derivative right")
    expect(page.locator("#audit-log tr.audit-regrade_requested")).to_contain_text("reference fixed")
