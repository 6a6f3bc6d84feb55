"""LTI 1.3 end to end against a real platform process (tests/lti/platform_app.py, on
the lti1p3platform library) and a real Celery worker: an instructor places activities
by deep linking, a student launches one, answers, the worker grades it and publishes
the score, and the platform's gradebook holds it; a platform that is down when a score
is published gets it once back, after the staff resend it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.roles import is_instructor
from exercises.models import Exercise, Quiz
from exercises.services import course_load
from grader.models import Submission
from grader.overrides import override_set
from lti.models import ActivityLink, GradePublication, LtiAccount
from tests.lti.conftest import Browser, Platform, form_fields
from tests.support.wait import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.xdist_group("worker")]

RIGHT = "2*x*cos(x**2)"  # chain-rule's answer, 10 points


def _place(platform: Platform, tool_url: str, keys: list[str]) -> list[dict]:
    """The instructor's deep-linking round: picker, answer, placement in the course."""
    teacher = Browser()
    picker, _ = teacher.open_from_lms(f"{platform.url}/course/deep-link?user=teacher-7")
    assert picker.status_code == 200, picker.text[:2000]
    assert picker.url == f"{tool_url}/lti/deep-link/"
    assert "Place activities in your course" in picker.text
    token = dict(teacher.session.cookies)["csrftoken"]
    answer = teacher.post(picker.url, {"csrfmiddlewaretoken": token, "activity": keys})
    assert answer.status_code == 200, answer.text[:2000]
    action, fields = form_fields(answer.text, "lti-deep-link-return")
    assert action == f"{platform.url}/deep-link-return"
    placed = teacher.post(action, {"JWT": fields["JWT"]}).json()
    print("platform placed:", json.dumps(placed["created"], indent=1))
    return list(placed["created"])


def _submit(browser: Browser, tool_url: str, slug: str, answer: str) -> int:
    response = browser.session.post(
        f"{tool_url}/api/v1/submissions",
        json={"exercise": slug, "answer": answer},
        headers={"X-CSRFToken": browser.csrf()},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return int(response.json()["id"])


def _platform_score(platform: Platform, lineitem: str, user: str) -> Any:
    return platform.gradebook()["scores"][lineitem].get(user)


@pytest.mark.django_db(transaction=True)
def test_deep_link_launch_answer_and_the_score_reaches_the_platform(
    live_server, platform, celery_worker_process, broker_app
) -> None:
    course_load()
    platform.register()

    links = _place(platform, live_server.url, ["exercise:chain-rule", "quiz:autograd-quiz"])
    assert [(link["title"], link["custom"]) for link in links] == [
        (Exercise.objects.get(slug="chain-rule").title, {"activity": "exercise:chain-rule"}),
        (Quiz.objects.get(slug="autograd-quiz").title, {"activity": "quiz:autograd-quiz"}),
    ]
    exercise_link = links[0]
    lineitem = exercise_link["lineitem"]
    assert platform.gradebook()["lineitems"][lineitem]["scoreMaximum"] == 10
    teacher = User.objects.get(lti_accounts__sub="teacher-7")
    assert is_instructor(teacher)

    student = Browser()
    page, _ = student.open_from_lms(
        f"{platform.url}/course/links/{exercise_link['id']}/launch"
        "?user=student-42&role=Learner&name=Ada%20Lovelace&email=ada@uni.example"
    )
    assert page.status_code == 200 and page.url == f"{live_server.url}/exercises/chain-rule/"
    account = LtiAccount.objects.select_related("user").get(issuer=platform.url, sub="student-42")
    assert account.user.username in page.text
    assert not is_instructor(account.user)
    print("student logged in as", account.user.username, "for", account.sub, "@", account.issuer)

    submission_id = _submit(student, live_server.url, "chain-rule", RIGHT)
    received = wait_until(
        lambda: _platform_score(platform, lineitem, "student-42"),
        90,
        "the score to reach the platform",
        interval=0.2,
    )
    print("platform received:", json.dumps(received))
    assert (received["scoreGiven"], received["scoreMaximum"]) == (10, 10)
    assert received["gradingProgress"] == "FullyGraded"
    assert Submission.objects.get(pk=submission_id).score == 10
    publication = GradePublication.objects.get(account=account)
    assert (publication.state, publication.sent_score) == ("sent", 10)

    # An instructor's override is a final score too: it replaces the platform's.
    staff = User.objects.create_user("sam", is_staff=True)
    override_set(
        actor=staff,
        submission=Submission.objects.get(pk=submission_id),
        score=7.5,
        reason="partial credit for the simplification",
    )
    received = wait_until(
        lambda: (
            (s := _platform_score(platform, lineitem, "student-42"))
            and s["scoreGiven"] == 7.5
            and s
        ),
        60,
        "the override to reach the platform",
        interval=0.2,
    )
    print("platform received after the override:", json.dumps(received))

    # A second launch is the same account; the same link keeps its one line item.
    again, _ = student.open_from_lms(
        f"{platform.url}/course/links/{exercise_link['id']}/launch?user=student-42&role=Learner"
    )
    assert again.status_code == 200
    assert LtiAccount.objects.filter(sub="student-42").count() == 1
    assert User.objects.filter(lti_accounts__sub="student-42").count() == 1
    book = platform.gradebook()
    assert len(book["lineitems"]) == 2  # one per placed activity, none added by passback
    assert (
        ActivityLink.objects.get(resource_link__id_on_platform=exercise_link["id"]).lineitem_url
        == (book["lineitems"][lineitem]["id"])
    )

    # The quiz link opens the quiz.
    quiz_page, _ = student.open_from_lms(
        f"{platform.url}/course/links/{links[1]['id']}/launch?user=student-42&role=Learner"
    )
    assert quiz_page.url == f"{live_server.url}/quizzes/autograd-quiz/"


@pytest.mark.django_db(transaction=True)
def test_a_score_published_while_the_platform_is_down_fails_visibly_then_arrives_on_resend(
    live_server, platform, celery_worker_process, broker_app
) -> None:
    course_load()
    platform.register()
    links = _place(platform, live_server.url, ["exercise:chain-rule"])
    student = Browser()
    page, _ = student.open_from_lms(
        f"{platform.url}/course/links/{links[0]['id']}/launch?user=student-9&role=Learner"
    )
    assert page.status_code == 200
    publication = GradePublication.objects.get(account__sub="student-9")

    platform.stop()
    _submit(student, live_server.url, "chain-rule", RIGHT)

    def failed() -> GradePublication | None:
        publication.refresh_from_db()
        return publication if publication.state == "failed" else None

    wait_until(failed, 90, "the publication to fail after its retries", interval=0.2)
    print(
        f"while down: state={publication.state} tries={publication.tries} "
        f"score to send={publication.score_given}/{publication.score_maximum} "
        f"error={publication.last_error[:120]!r}"
    )
    assert publication.tries == 3  # the first send and two retries (LTI_PUBLISH_MAX_RETRIES)
    assert publication.score_given == 10 and publication.sent_at is None

    console = Client()
    console.force_login(User.objects.create_user("ines", is_staff=True))
    staff_page = console.get("/console/lti/?state=failed")
    text = staff_page.content.decode()
    assert "failed, waiting for a resend" in text and "10 / 10" in text
    assert "ConnectionError" in text or "Connection refused" in text

    platform.start()  # the same platform, same course and gradebook, back up
    response = console.post(f"/console/lti/{publication.pk}/resend", {"state": "failed"})
    assert response.status_code == 302
    received = wait_until(
        lambda: _platform_score(platform, links[0]["lineitem"], "student-9"),
        60,
        "the resent score to reach the platform",
        interval=0.2,
    )
    print("platform received after the resend:", json.dumps(received))
    assert received["scoreGiven"] == 10
    publication.refresh_from_db()
    assert publication.state == "sent" and publication.sent_score == 10
    assert "sent" in console.get("/console/lti/").content.decode()
