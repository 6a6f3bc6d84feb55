"""An instructor in a real browser: log in through the login form, open the gradebook,
sort it, and download the CSV export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from accounts.roles import instructor_group
from exercises.spec import variant_seed
from grader.models import Submission
from grader.services import score_refresh

pytestmark = [pytest.mark.browser]


def _graded(student: User, exercise, score: float) -> None:
    attempt = Submission.objects.filter(student=student, exercise=exercise).count() + 1
    Submission.objects.create(
        student=student, exercise=exercise, answer="…", status=Submission.Status.GRADED,
        score=score, max_score=exercise.max_score, seed=variant_seed(student.pk, exercise.slug),
        attempt=attempt, grader_version=settings.GRADER_VERSION,
    )  # fmt: skip
    score_refresh(student_id=student.pk, exercise=exercise)


@pytest.mark.django_db(transaction=True)
def test_instructor_logs_in_opens_the_gradebook_and_downloads_the_csv(
    course, live_server, page: Page, tmp_path: Path
) -> None:
    ines = User.objects.create_user("ines", password="ines-password-1")
    ines.groups.add(instructor_group())
    alice = User.objects.create_user("alice", first_name="Alice", last_name="Ångström")
    bob = User.objects.create_user("bob")
    _graded(alice, course["chain-rule"], 10)
    _graded(bob, course["chain-rule"], 0)
    _graded(bob, course["chain-rule"], 5)

    page.goto(f"{live_server.url}/dashboard/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/dashboard/")
    page.fill("#id_username", "ines")
    page.fill("#id_password", "ines-password-1")
    page.click("button[type=submit]")

    expect(page.locator("h1")).to_have_text("Gradebook")
    rows = page.locator("#gradebook tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("alice")
    expect(rows.nth(1)).to_contain_text("5 (2)")
    page.click("#gradebook thead >> text=Total")
    expect(rows.nth(0)).to_contain_text("alice")  # highest total first
    page.fill("input[name=q]", "bo")
    page.click("form.filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("bob")
    page.fill("input[name=q]", "")
    page.click("form.filters button[type=submit]")

    with page.expect_download() as info:
        page.click("text=gradebook CSV")
    download = info.value
    assert download.suggested_filename.startswith(
        "gradebook-"
    ) and download.suggested_filename.endswith(".csv")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows_csv = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["username"], r["name"], r["chain-rule"]) for r in rows_csv] == [
        ("alice", "Alice Ångström", "10"),
        ("bob", "", "5"),
    ]
