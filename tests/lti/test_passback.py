"""Grade passback for every kind of final score, through a real worker to the real
platform process: a quiz attempt, a regrade, a link added by hand (whose one line item
the tool creates), and a score sent once only."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.contrib.auth.models import User

from exercises.models import Exercise, Quiz
from exercises.quiz import load_quiz_spec
from exercises.services import course_load
from grader.models import Submission
from grader.quiz_attempts import quiz_attempt_start, quiz_attempt_submit
from grader.quiz_grading import reference_quiz_answers
from grader.regrade import regrade_request
from grader.services import submission_create
from lti import grades
from lti.models import ActivityLink, GradePublication
from tests.lti.conftest import Browser, Platform, place
from tests.support.wait import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.xdist_group("worker")]


def _launch(platform: Platform, link: dict[str, Any], user: str) -> User:
    page, _ = Browser().open_from_lms(
        f"{platform.url}/course/links/{link['id']}/launch?user={user}&role=Learner"
    )
    assert page.status_code == 200, page.text[:2000]
    return User.objects.get(lti_accounts__sub=user)


def _score_on_platform(platform: Platform, lineitem: str, user: str, value: float) -> Any:
    def arrived() -> Any:
        score = platform.gradebook()["scores"][lineitem].get(user)
        return score if score and score["scoreGiven"] == value else None

    return wait_until(arrived, 90, f"{user}'s {value} to reach the platform", interval=0.2)


@pytest.mark.django_db(transaction=True)
def test_a_graded_quiz_attempt_reaches_the_platform(
    live_server, platform, celery_worker_process, broker_app
) -> None:
    course_load()
    platform.register()
    (link,) = place(platform, ["quiz:autograd-quiz"])
    user = _launch(platform, link, "quiz-taker")
    quiz = Quiz.objects.get(slug="autograd-quiz")
    attempt = quiz_attempt_start(student=user, quiz=quiz)
    spec = load_quiz_spec(quiz.slug)
    quiz_attempt_submit(
        attempt=attempt, answers=reference_quiz_answers(spec, spec.params(attempt.seed))
    )
    received = _score_on_platform(platform, link["lineitem"], "quiz-taker", quiz.max_score)
    print("platform received for the quiz:", received)
    assert received["scoreMaximum"] == quiz.max_score


@pytest.mark.django_db(transaction=True)
def test_a_regrade_that_changes_the_score_reaches_the_platform(
    live_server, platform, celery_worker_process, broker_app
) -> None:
    course_load()
    platform.register()
    (link,) = place(platform, ["exercise:chain-rule"])
    user = _launch(platform, link, "late-one")
    submission = submission_create(
        student=user, exercise=Exercise.objects.get(slug="chain-rule"), answer="2*x*cos(x**2)"
    )
    _score_on_platform(platform, link["lineitem"], "late-one", 10)
    # The answer was late and the instructor now sets a late penalty, then regrades.
    Submission.objects.filter(pk=submission.pk).update(is_late=True)
    Exercise.objects.filter(slug="chain-rule").update(late_penalty=0.5)
    regrade_request(
        actor=User.objects.create_user("ines", is_staff=True),
        submission_ids=[submission.pk],
        reason="late penalty applied",
    )
    received = _score_on_platform(platform, link["lineitem"], "late-one", 5)
    print("platform received after the regrade:", received)


@pytest.mark.django_db(transaction=True)
def test_a_link_added_by_hand_gets_one_line_item_and_each_score_once(
    live_server, platform, celery_worker_process, broker_app
) -> None:
    course_load()
    platform.register()
    link = requests.get(
        f"{platform.url}/course/links/new?title=Power%20rule&activity=exercise:power-rule",
        timeout=5,
    ).json()
    assert link["lineitem"] is None
    exercise = Exercise.objects.get(slug="power-rule")
    for user in ("hand-1", "hand-2"):
        student = _launch(platform, link, user)
        submission_create(student=student, exercise=exercise, answer="wrong")

    def both_arrived() -> dict[str, Any] | None:
        book = platform.gradebook()
        return book if sum(len(s) for s in book["scores"].values()) == 2 else None

    book: dict[str, Any] = wait_until(
        both_arrived,
        90,
        "both scores to reach the platform",
        interval=0.2,
    )
    print("platform line items:", book["lineitems"])
    print("platform scores:", book["scores"])
    assert len(book["lineitems"]) == 1  # created once by the tool, for both students
    (lineitem,) = book["lineitems"].values()
    assert lineitem["resourceLinkId"] == link["id"] and lineitem["scoreMaximum"] == 10
    assert ActivityLink.objects.get().lineitem_url == lineitem["id"]

    # Sent once: a refresh with an unchanged score sends nothing.
    posts = book["score_posts"]
    for publication in GradePublication.objects.all():
        grades.publication_refresh(publication=publication)
        assert grades.publication_send(publication_id=publication.pk) is None
    assert set(GradePublication.objects.values_list("state", flat=True)) == {"sent"}
    assert platform.gradebook()["score_posts"] == posts
