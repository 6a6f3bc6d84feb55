"""Due-date extensions: an instructor gives one student a later due date on one
exercise, with a reason. That student's answers are judged against it: new answers
are on time until then, and earlier answers get their late flag and late penalty
changed by the ordinary regrade; removing the extension puts both back. Every change
is in the audit log, and the student sees their own due date."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from exercises.models import Exercise, Quiz, QuizAttempt
from grader.extensions import extension_set
from grader.models import AuditLogEntry, DueExtension, RegradeJob, Score, Submission
from grader.quiz_attempts import quiz_attempt_submit
from grader.regrade import regrade_dispatch
from grader.services import submission_create, submission_grade
from tests.support.answers import SLOW_BASICS
from tests.support.wait import wait_until

RIGHT = "2*x*cos(x^2)"


@pytest.fixture
def past_due(course) -> Exercise:
    """chain-rule, due an hour ago, with a 25 % late penalty."""
    exercise = course["chain-rule"]
    exercise.due_at = timezone.now() - timedelta(hours=1)
    exercise.late_penalty = 0.25
    exercise.save(update_fields=["due_at", "late_penalty"])
    return exercise


def _answer(student, exercise, answer=RIGHT) -> Submission:
    sub = submission_create(student=student, exercise=exercise, answer=answer)
    submission_grade(submission_id=sub.pk)
    sub.refresh_from_db()
    return sub


def _grade_regrades(capture) -> None:
    """Run what the worker would: each regrade job's dispatch, then the grading."""
    for job in RegradeJob.objects.filter(status="pending"):
        with capture(execute=False):
            regrade_dispatch(job_id=job.pk)
    for pk in Submission.objects.filter(status="queued").values_list("id", flat=True):
        submission_grade(submission_id=pk)


def _extend(client: Client, student, exercise, due, reason="doctor's note"):
    return client.post(
        f"/dashboard/students/{student.pk}/extension",
        {
            "item": f"exercise:{exercise.slug}",
            "due_at": timezone.localtime(due).strftime("%Y-%m-%dT%H:%M"),
            "reason": reason,
        },
    )


def test_a_student_with_an_extension_answers_on_time_and_keeps_full_marks(
    past_due, student, other_student, instructor_client
) -> None:
    response = _extend(instructor_client, student, past_due, timezone.now() + timedelta(days=2))
    assert response.status_code == 302

    mine, theirs = _answer(student, past_due), _answer(other_student, past_due)
    assert (mine.is_late, mine.score) == (False, 10)
    assert (theirs.is_late, theirs.score) == (True, 7.5)
    assert Score.objects.get(student=student).kept_score == 10
    assert Score.objects.get(student=other_student).kept_score == 7.5


def test_an_extension_granted_after_a_late_answer_lifts_its_penalty_and_removing_it_puts_it_back(
    past_due, student, instructor, instructor_client, django_capture_on_commit_callbacks
) -> None:
    late = _answer(student, past_due)
    assert (late.is_late, late.score) == (True, 7.5)

    due = timezone.now() + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=False):
        response = _extend(instructor_client, student, past_due, due)
    page = instructor_client.get(response["Location"]).content.decode()
    assert "1 answer(s) now on time; 1 regraded for the late penalty" in page
    _grade_regrades(django_capture_on_commit_callbacks)

    late.refresh_from_db()
    assert (late.is_late, late.score) == (False, 10)
    assert Score.objects.get(student=student, exercise=past_due).kept_score == 10
    entry = AuditLogEntry.objects.get(action="extension_set")
    assert (entry.actor_username, entry.student_id, entry.reason) == (
        instructor.username,
        student.pk,
        "doctor's note",
    )
    minutes = {"timespec": "minutes"}
    assert (entry.old_value, entry.new_value) == (
        {"due_at": timezone.localtime(past_due.due_at).isoformat(**minutes), "extended": False},
        {"due_at": timezone.localtime(due).isoformat(**minutes), "extended": True},
    )
    page = instructor_client.get(f"/dashboard/students/{student.pk}/").content.decode()
    assert f"granted by {instructor.username}" in page and "doctor&#x27;s note" in page

    with django_capture_on_commit_callbacks(execute=False):
        instructor_client.post(
            f"/dashboard/students/{student.pk}/extension/remove",
            {"item": f"exercise:{past_due.slug}", "reason": "granted to the wrong student"},
        )
    _grade_regrades(django_capture_on_commit_callbacks)
    late.refresh_from_db()
    assert (late.is_late, late.score) == (True, 7.5)
    assert Score.objects.get(student=student, exercise=past_due).kept_score == 7.5
    assert not DueExtension.objects.exists()
    assert AuditLogEntry.objects.get(action="extension_removed").reason == (
        "granted to the wrong student"
    )


@pytest.mark.parametrize(
    ("slug", "due_in", "reason", "message"),
    [
        ("chain-rule", timedelta(days=1), "", "This field is required."),
        ("chain-rule", -timedelta(days=1), "ill", "must be after “The chain rule"),
        ("power-rule", timedelta(days=1), "ill", "Select a valid choice."),  # no due date
    ],
)
def test_a_refused_extension_says_why_and_changes_nothing(
    past_due, student, instructor_client, slug, due_in, reason, message
) -> None:
    response = instructor_client.post(
        f"/dashboard/students/{student.pk}/extension",
        {
            "item": f"exercise:{slug}",
            "due_at": timezone.localtime(past_due.due_at + due_in).strftime("%Y-%m-%dT%H:%M"),
            "reason": reason,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DueExtension.objects.exists() and not AuditLogEntry.objects.exists()


def test_students_cannot_grant_extensions(past_due, student, student_client) -> None:
    response = _extend(student_client, student, past_due, timezone.now() + timedelta(days=9))
    assert response.status_code == 403
    assert not DueExtension.objects.exists()


def test_the_student_sees_their_own_due_date(
    past_due, student, student_client, instructor_client
) -> None:
    due = timezone.now() + timedelta(days=3)
    _extend(instructor_client, student, past_due, due)
    shown = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    detail = student_client.get("/exercises/chain-rule/").content.decode()
    assert f"due {shown}" in detail and "(extended for you)" in detail
    listing = student_client.get("/").content.decode()
    assert f'{shown} <span class="extended">(extended)</span>' in listing


def test_checks_shown_after_the_due_date_stay_hidden_while_anyone_may_still_answer(
    past_due, student, other_student, instructor_client
) -> None:
    """An after-due-date check's output is released once the due date and every
    extension have passed: not to the student with the extension while they can still
    answer, and not to a classmate who could tell them."""
    theirs = _answer(other_student, past_due, "cos(x^2)")
    results = dict(theirs.results)
    results["tests"] = [
        {**t, "visibility": "after_due_date"} if t["name"].startswith("dz/dx at 4 more") else t
        for t in results["tests"]
    ]
    Submission.objects.filter(pk=theirs.pk).update(results=results)
    theirs.refresh_from_db()
    secret = next(t["output"] for t in results["tests"] if t["visibility"] == "after_due_date")
    assert secret  # the check failed and said why

    classmate = Client()
    classmate.force_login(other_student)

    def shown(submission: Submission) -> bool:
        """Whether the check's output is in what the classmate's API answer shows."""
        body = classmate.get(f"/api/v1/submissions/{submission.pk}").json()
        return any(c.get("output") == secret for c in body["checks"])

    assert shown(theirs)  # the due date has passed and nobody has an extension

    _extend(instructor_client, student, past_due, timezone.now() + timedelta(days=1))
    assert not shown(theirs)
    DueExtension.objects.filter(student=student).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert shown(theirs)


@pytest.fixture
def closed_quiz(course) -> Quiz:
    """The course's quiz, closed for everyone an hour ago (30 minutes' time limit)."""
    quiz = Quiz.objects.get(slug="autograd-quiz")
    quiz.opens_at = timezone.now() - timedelta(days=2)
    quiz.closes_at = timezone.now() - timedelta(hours=1)
    quiz.time_limit_seconds = 30 * 60
    quiz.save()
    return quiz


def test_a_quiz_extension_lets_one_student_start_after_it_closed_for_everyone_else(
    closed_quiz, student, other_student, instructor, instructor_client, student_client
) -> None:
    closes = timezone.now() + timedelta(hours=5)
    response = instructor_client.post(
        f"/dashboard/students/{student.pk}/extension",
        {
            "item": "quiz:autograd-quiz",
            "due_at": timezone.localtime(closes).strftime("%Y-%m-%dT%H:%M"),
            "reason": "in hospital on the day",
        },
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="extension_set")
    minutes = {"timespec": "minutes"}
    assert entry.new_value == {
        "quiz": "autograd-quiz",
        "due_at": timezone.localtime(closes).isoformat(**minutes),
        "extended": True,
    }
    assert entry.reason == "in hospital on the day" and entry.exercise is None

    shown = timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")
    page = student_client.get("/quizzes/autograd-quiz/").content.decode()
    assert f"until {shown}" in page and "(extended for you)" in page
    assert "Start attempt 1" in page
    student_client.post("/quizzes/autograd-quiz/start")
    attempt = QuizAttempt.objects.get(student=student)
    # The time limit still holds: 30 minutes from the start, well before the extension.
    assert attempt.deadline_at is not None and attempt.started_at is not None
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=30)

    classmate = Client()
    classmate.force_login(other_student)
    assert "This quiz is closed." in classmate.get("/quizzes/autograd-quiz/").content.decode()
    refused = classmate.post("/quizzes/autograd-quiz/start", follow=True)
    assert "not open for attempts" in refused.content.decode()
    assert not QuizAttempt.objects.filter(student=other_student).exists()

    # Taken back: the attempt already started keeps its own deadline, but once it is
    # submitted no new one starts.
    instructor_client.post(
        f"/dashboard/students/{student.pk}/extension/remove",
        {"item": "quiz:autograd-quiz", "reason": "the wrong student"},
    )
    page = student_client.get("/quizzes/autograd-quiz/").content.decode()
    assert "Continue attempt 1" in page
    quiz_attempt_submit(attempt=attempt, answers={})
    page = student_client.get("/quizzes/autograd-quiz/").content.decode()
    assert "This quiz is closed." in page and "Start attempt" not in page


def test_a_quiz_extension_must_end_after_the_quiz_closes(
    closed_quiz, student, instructor_client
) -> None:
    response = instructor_client.post(
        f"/dashboard/students/{student.pk}/extension",
        {
            "item": "quiz:autograd-quiz",
            "due_at": timezone.localtime(closed_quiz.closes_at - timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "reason": "ill",
        },
    )
    assert response.status_code == 400
    assert "must be after “Autograd quiz" in response.content.decode()
    assert not DueExtension.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_extension_granted_while_the_answer_is_graded_applies_to_it(
    course, student, instructor
) -> None:
    """The worker stores a score only if the lateness it graded with still holds; an
    extension granted while the sandbox runs makes it grade the answer again."""
    basics = course["autograd-basics"]
    basics.due_at = timezone.now() - timedelta(hours=1)
    basics.late_penalty = 0.25
    basics.save(update_fields=["due_at", "late_penalty"])
    sub = submission_create(
        student=student,
        exercise=basics,
        answer=SLOW_BASICS.format(seconds=2),
        parts={"grad_fn": "pow"},
    )
    assert sub.is_late

    stored_by_first_run: list[object] = []

    def grade() -> None:
        try:
            stored_by_first_run.append(submission_grade(submission_id=sub.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=grade)
    worker.start()
    wait_until(
        lambda: Submission.objects.get(pk=sub.pk).status == "running", 30, "the grading to start"
    )
    extension_set(
        actor=instructor,
        student_id=student.pk,
        item=basics,
        due_at=timezone.now() + timedelta(days=1),
        reason="ill",
    )
    worker.join(60)
    assert not worker.is_alive()
    assert stored_by_first_run == [None]  # its store was refused: it graded a late answer

    # Queued again with its task sent: a worker process of another test in this run may
    # take it from the broker; if none does, this grades it (the claim lets one run).
    submission_grade(submission_id=sub.pk)
    wait_until(
        lambda: Submission.objects.get(pk=sub.pk).status == "graded", 60, "the second grading"
    )
    stored = Submission.objects.get(pk=sub.pk)
    assert (stored.is_late, stored.score) == (False, 10)
