"""Every kind of page, as a student, an instructor and an admin see it, in a real
browser: axe-core finds no WCAG 2.1 A/AA violation, and at a phone's width (390 px) no
page is wider than the screen (tables scroll inside their own box)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import instructor_group
from exercises.models import Quiz, QuizAttempt
from grader.models import DueExtension, Submission
from grader.quiz_attempts import quiz_attempt_save_draft, quiz_attempt_start, quiz_attempt_submit
from grader.services import submission_create
from tests.browser.ux import shot
from tests.support.axe import axe_version, axe_violations
from tests.support.wait import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-password-1")
    page.click("form button[type=submit]")
    expect(page.locator("header .who, #user-tools")).to_contain_text(username)


def _check(page: Page, url: str | None, name: str, found: dict[str, list[str]]) -> None:
    """axe at 1280 px, then the page's width at 390 px; problems go into ``found``.
    ``url`` None: the page as it is (one reached by a POST)."""
    page.set_viewport_size(DESKTOP)
    if url is not None:
        page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {'; '.join(v['nodes'][:3])}"
        for v in axe_violations(page)
    ]
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{width} px wide at a {PHONE['width']} px screen")
    found[name] = problems
    shot(page, "page-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + "-390.png")


def _seed() -> dict[str, int]:
    """A student with graded answers (a formula, code with a choice), a graded quiz
    attempt and one in progress with a draft; an instructor; an admin."""
    alice = User.objects.create_user("alice", password="alice-password-1")
    User.objects.create_user("ines", password="ines-password-1").groups.add(instructor_group())
    User.objects.create_user("root", password="root-password-1", is_staff=True, is_superuser=True)
    from exercises.models import Exercise

    # chain-rule is due, and alice has an extension: the student page shows due dates,
    # an extension and the forms to grant and remove one.
    chain = Exercise.objects.get(slug="chain-rule")
    chain.due_at = timezone.now() - timedelta(days=1)
    chain.save(update_fields=["due_at"])
    DueExtension.objects.create(
        student=alice,
        exercise=chain,
        due_at=timezone.now() + timedelta(days=2),
        reason="ill",
        granted_by=User.objects.get(username="ines"),
    )
    formula = submission_create(student=alice, exercise=chain, answer="cos(x^2)")
    basics = Exercise.objects.get(slug="autograd-basics")
    code = submission_create(
        student=alice, exercise=basics, answer=basics.starter, parts={"grad_fn": "pow"}
    )
    quiz = Quiz.objects.get(slug="autograd-quiz")
    quiz.opens_at = timezone.now() - timedelta(hours=1)
    quiz.closes_at = timezone.now() + timedelta(hours=1)
    quiz.save()
    first = quiz_attempt_start(student=alice, quiz=quiz)
    quiz_attempt_submit(attempt=first, answers={"chain-log": "2*x/(1+x^2)"})
    wait_until(
        lambda: (
            not Submission.objects.exclude(status__in=Submission.FINAL_STATUSES).exists()
            and QuizAttempt.objects.get(pk=first.pk).status == QuizAttempt.Status.GRADED
        ),
        90,
        "the worker to grade the answers and the quiz attempt",
        interval=0.2,
    )
    second = quiz_attempt_start(student=alice, quiz=quiz)
    quiz_attempt_save_draft(attempt=second, answers={"chain-log": "2x/(1+x^2)"})
    return {"alice": alice.pk, "formula": formula.pk, "code": code.pk}


@pytest.mark.django_db(transaction=True)
def test_every_page_kind_has_no_wcag_violation_and_fits_a_phone(
    course, live_server, celery_worker_process, broker_app, page: Page, settings
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    ids = _seed()
    base = live_server.url
    found: dict[str, list[str]] = {}
    _check(page, f"{base}/accounts/login/", "anonymous: login", found)
    for _ in range(3):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong")
        page.click("form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Too many failed logins")
    _check(page, None, "anonymous: lockout", found)

    _log_in(page, base, "alice")
    student_pages = {
        "exercise list": "/",
        "formula exercise with its result": f"/exercises/chain-rule/?submission={ids['formula']}",
        "code exercise with parts and its result": (
            f"/exercises/autograd-basics/?submission={ids['code']}"
        ),
        "code exercise, no attempt yet": "/exercises/fix-runtime-error/",
        "numeric exercise": "/exercises/power-rule/",
        "quiz list": "/quizzes/",
        "notes index": "/notes/",
        "notes page": "/notes/3/",
        "quiz": "/quizzes/autograd-quiz/",
        "quiz attempt, graded": "/quizzes/autograd-quiz/attempts/1/",
        "quiz attempt, in progress with a draft": "/quizzes/autograd-quiz/attempts/2/",
        "not found (404)": "/no-such-page/",
        "forbidden (403)": "/dashboard/",
    }
    for name, path in student_pages.items():
        _check(page, base + path, f"student: {name}", found)

    _log_in(page, base, "ines")
    instructor_pages = {
        "gradebook": "/dashboard/",
        "exercises": "/dashboard/exercises/",
        "exercise statistics": "/dashboard/exercises/chain-rule/",
        "student": f"/dashboard/students/{ids['alice']}/",
        "console submissions": "/console/",
        "console submission": f"/console/submissions/{ids['code']}/",
        "console queue": "/console/queue/",
        "console regrades": "/console/regrades/",
        "console audit log": "/console/audit/",
        "quiz statistics": "/dashboard/quizzes/autograd-quiz/",
        "console quiz attempts": "/console/quiz-attempts/",
    }
    for name, path in instructor_pages.items():
        _check(page, base + path, f"instructor: {name}", found)

    _log_in(page, base, "root")
    admin_pages = {
        "admin index": "/admin/",
        "admin submissions": "/admin/grader/submission/",
        "admin submission": f"/admin/grader/submission/{ids['code']}/change/",
        "admin users": "/admin/auth/user/",
        "admin user": f"/admin/auth/user/{ids['alice']}/change/",
        "admin exercises": "/admin/exercises/exercise/",
    }
    for name, path in admin_pages.items():
        _check(page, base + path, f"admin: {name}", found)

    bad = {name: problems for name, problems in found.items() if problems}
    lines = [
        f"axe-core {axe_version(page)} (WCAG 2.1 A/AA) and a 390 px width: "
        f"{len(found)} pages checked, {sum(len(p) for p in bad.values())} problems"
    ]
    for name, problems in found.items():
        lines.append(f"  {name}: {len(problems)} violations")
        lines.extend(f"    - {problem}" for problem in problems)
    report = "\n".join(lines)
    print("\n" + report)
    (Path(__file__).resolve().parents[2] / "var" / "axe-report.txt").write_text(report + "\n")
    assert not bad, "\n".join(f"{name}: {problems}" for name, problems in bad.items())
