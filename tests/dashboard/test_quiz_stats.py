"""A quiz's staff pages: statistics with the item analysis of every question, the
attempts in the console with their answers and results, and a staff regrade. The
attempts are taken and graded by the real services (formulas through the sandbox)."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.item_selectors import course_totals, quiz_item_stats, quiz_kept_attempts
from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from grader.models import AuditLogEntry
from grader.quiz_attempts import quiz_attempt_grade, quiz_attempt_start, quiz_attempt_submit
from grader.quiz_grading import reference_quiz_answers

SLUG = "autograd-quiz"
NESTED = "Once two or three functions are nested"
SINGLE = "A single function like x² cannot be differentiated"


def _take(quiz: Quiz, student: User, change: dict[str, str] | None, keep_only=None) -> None:
    attempt = quiz_attempt_start(student=student, quiz=quiz)
    answers = reference_quiz_answers(
        load_quiz_spec(SLUG), load_quiz_spec(SLUG).params(attempt.seed)
    )
    if keep_only is not None:
        answers = {k: v for k, v in answers.items() if k in keep_only}
    answers.update(change or {})
    quiz_attempt_submit(attempt=attempt, answers=answers)
    graded = quiz_attempt_grade(attempt_id=attempt.pk)
    assert graded is not None and graded.status == "graded"


@pytest.fixture
def taken(course) -> dict[str, User]:
    """Four students: 20 (all right), 17, 15 and 1 of 20 points."""
    quiz = Quiz.objects.get(slug=SLUG)
    Quiz.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=1)
    )
    quiz.refresh_from_db()
    users = {name: User.objects.create_user(name) for name in ("ann", "ben", "cy", "dee")}
    _take(quiz, users["ann"], None)
    _take(quiz, users["ben"], {"why-autograd": "single", "chain-log": "1/(1+x^2)"})
    _take(
        quiz,
        users["cy"],
        {"why-autograd": "single", "chain-log": "1/(1+x^2)", "power-slope": "0"},
    )
    _take(quiz, users["dee"], {}, keep_only={"why-autograd"})
    scores = dict(QuizAttempt.objects.values_list("student__username", "score"))
    assert scores == {"ann": 20, "ben": 17, "cy": 15, "dee": 1}
    return users


def test_the_statistics_page_shows_figures_and_each_questions_item_analysis(
    taken, instructor_client: Client
) -> None:
    response = instructor_client.get(reverse("dashboard:quiz", args=[SLUG]))
    assert response.status_code == 200
    page = response.content.decode()
    figures = page.split('id="quiz-figures"')[1].split("</dl>")[0]
    assert "<dt>Attempts</dt><dd>4</dd>" in figures
    assert "<dt>Full marks (kept attempt)</dt><dd>1</dd>" in figures
    assert "13.25" in figures  # mean kept score (20 + 17 + 15 + 1) / 4
    table = page.split('id="item-analysis"')[1].split("</table>")[0]
    assert table.count("<tr data-item=") == 12  # every question

    why = table.split('data-item="why-autograd"')[1].split("</tr>")[0]
    # Right: ann (20) and dee (1); wrong: ben and cy. The top and bottom student (one
    # each with four students) both got it right: D = 0.
    assert '<td class="num difficulty">50%</td>' in why
    assert '<td class="num upper-lower">+0.00' in why
    assert NESTED in why and SINGLE in why and "× 2" in why
    r = statistics.correlation([1.0, 0.0, 0.0, 1.0], [19.0, 17.0, 15.0, 0.0])
    assert f"{r:+.2f}".replace("-", "−") in why

    slope = table.split('data-item="power-slope"')[1].split("</tr>")[0]
    # Right: ann and ben; the top student right, the bottom one wrong: D = 1.
    assert '<td class="num difficulty">50%</td>' in slope
    assert '<td class="num upper-lower">+1.00' in slope
    # Every student's right value differs (their own point): answers count by meaning.
    assert '<code>(right answer)</code> <span class="meta">× 2' in slope
    assert "(no answer)" in slope and "wrong" in slope

    chain_log = table.split('data-item="chain-log"')[1].split("</tr>")[0]
    assert "1/(1 + x^2)" in chain_log and "× 2" in chain_log  # the formula as read


def test_item_analysis_uses_the_kept_attempt_and_the_course_total(taken, course) -> None:
    quiz = Quiz.objects.get(slug=SLUG)
    ben = taken["ben"]
    # A second, better attempt: the kept one (best policy) is the one analysed.
    _take(quiz, ben, None)
    kept = {a.student_id: a.score for a in quiz_kept_attempts(quiz=quiz)}
    assert kept[ben.pk] == 20
    totals = course_totals()
    assert totals[ben.pk] == 20 and totals[taken["dee"].pk] == 1
    items = {
        i.key: i
        for i in quiz_item_stats(quiz=quiz, kept=quiz_kept_attempts(quiz=quiz), totals=totals)
    }
    assert items["why-autograd"].difficulty == 0.75


def test_the_console_lists_quiz_attempts_with_state_answers_and_score(
    taken, instructor_client: Client
) -> None:
    listing = instructor_client.get(reverse("console:quiz_attempts"), {"quiz": SLUG})
    page = listing.content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr>") == 4
    assert all(name in rows for name in ("ann", "ben", "cy", "dee")) and "graded" in rows
    assert '17<span class="meta">/20' in rows

    attempt = QuizAttempt.objects.get(student=taken["ben"])
    detail = instructor_client.get(reverse("console:quiz_attempt", args=[attempt.pk]))
    page = detail.content.decode()
    assert '<dd id="status">graded</dd>' in page and '<dd id="score">17 / 20</dd>' in page
    chain_log = page.split('data-question="chain-log"')[1].split("</tr>")[0]
    assert "<code>1/(1+x^2)</code>" in chain_log and "read as 1/(1 + x^2)" in chain_log
    assert "failed" in chain_log and "missing-inner-factor" in chain_log
    why = page.split('data-question="why-autograd"')[1].split("</tr>")[0]
    assert SINGLE in why and "[single]" in why
    assert 'id="quiz-regrade"' not in page  # instructors read, staff act
    # The quiz's statistics page and the student's page link here.
    assert (
        instructor_client.post(
            reverse("console:quiz_regrade", args=[attempt.pk]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_staff_regrade_a_quiz_attempt_and_the_old_result_is_audited(
    taken, staff_client: Client
) -> None:
    attempt = QuizAttempt.objects.get(student=taken["ben"])
    response = staff_client.post(
        reverse("console:quiz_regrade", args=[attempt.pk]), {"reason": "key fixed"}
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.grade_attempts == 0
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.REGRADE_REQUESTED)
    old = entry.old_value
    assert old is not None and old["score"] == 17 and old["questions"]["chain-log"] == 0
    assert entry.new_value == {"quiz": SLUG, "quiz_attempt": attempt.pk}
    assert entry.student_id == taken["ben"].pk and entry.reason == "key fixed"

    quiz_attempt_grade(attempt_id=attempt.pk)  # the worker, as the task runs it
    attempt.refresh_from_db()
    assert attempt.status == "graded" and attempt.score == 17  # same answers, same seed
    page = staff_client.get(reverse("console:quiz_attempt", args=[attempt.pk])).content.decode()
    assert "key fixed" in page and f"quiz attempt #{attempt.pk}" in page

    # An attempt waiting for a worker is not taken twice.
    QuizAttempt.objects.filter(pk=attempt.pk).update(status="submitted")
    staff_client.post(reverse("console:quiz_regrade", args=[attempt.pk]), {"reason": "again"})
    assert AuditLogEntry.objects.count() == 1
    page = staff_client.get(reverse("console:quiz_attempt", args=[attempt.pk])).content.decode()
    assert "Only a graded or errored attempt can be regraded" in page
