"""The quiz pages with Django's test client: take the quiz, see it queued and graded.

The pages only store and show; grading is the worker's (`quiz_attempt_grade`, called
here as the task would call it)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from grader.quiz_attempts import quiz_attempt_grade
from grader.quiz_grading import reference_quiz_answers

SLUG = "autograd-quiz"


@pytest.fixture
def quiz(course) -> Quiz:
    quiz = Quiz.objects.get(slug=SLUG)
    quiz.opens_at = timezone.now() - timedelta(days=1)
    quiz.closes_at = timezone.now() + timedelta(days=1)
    quiz.save()
    return quiz


@pytest.fixture
def client_for(student) -> Client:
    client = Client()
    client.force_login(student)
    return client


def _form(attempt: QuizAttempt, answers: dict) -> dict:
    return {f"q_{k}": v for k, v in answers.items()}


def test_the_quiz_list_and_page_show_the_rules(quiz, client_for) -> None:
    page = client_for.get("/quizzes/").content.decode()
    assert "Autograd quiz" in page and "open" in page and "20 min" in page
    page = client_for.get(f"/quizzes/{SLUG}/").content.decode()
    assert "12 questions, 20 points." in page
    assert "3 attempts; the best score counts" in page
    assert "Start attempt 1" in page


def test_a_student_takes_the_quiz_and_sees_score_misconceptions_and_formula_readings(
    quiz, client_for, student
) -> None:
    response = client_for.post(f"/quizzes/{SLUG}/start")
    assert response.status_code == 302 and response["Location"] == f"/quizzes/{SLUG}/attempts/1/"
    attempt = QuizAttempt.objects.get(student=student)
    page = client_for.get(response["Location"]).content.decode()
    assert 'id="quiz-timer"' in page and "<math" in page and 'name="q_chain-log"' in page
    params = load_quiz_spec(SLUG).params(attempt.seed)
    assert f"<mn>{abs(params['x0']):g}</mn>" in page  # the student's own point, as math

    answers = reference_quiz_answers(load_quiz_spec(SLUG), params)
    answers["chain-log"] = "1/(1+x^2)"  # the inner factor dropped
    answers["why-autograd"] = "single"
    response = client_for.post(response["Location"], _form(attempt, answers))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.score is None  # queued, not graded here
    page = client_for.get(response["Location"]).content.decode()
    assert (
        "queued for grading" in page and 'hx-trigger="load delay:0ms"' in page and "?wait=" in page
    )
    state = f"/quizzes/{SLUG}/attempts/1/state"
    assert "queued for grading" in client_for.get(state).content.decode()
    attempt.refresh_from_db()
    assert attempt.status == "submitted"  # polling wrote nothing
    quiz_attempt_grade(attempt_id=attempt.pk)  # the worker
    fragment = client_for.get(state).content.decode()
    assert "17 / 20" in fragment and "hx-trigger" not in fragment  # polling stops
    page = client_for.get(response["Location"]).content.decode()
    assert "17 / 20" in page and "10 of 12 questions right." in page
    assert 'data-name="missing-inner-factor"' in page
    assert "We read your formula as" in page and "1/(1 + x^2)" in page
    assert "one function is easy in code" in page  # the choice's feedback


def test_another_students_attempt_is_not_found(quiz, client_for, other_student) -> None:
    other = Client()
    other.force_login(other_student)
    other.post(f"/quizzes/{SLUG}/start")
    assert client_for.get(f"/quizzes/{SLUG}/attempts/1/").status_code == 404


def test_a_closed_quiz_cannot_be_started(quiz, client_for) -> None:
    quiz.closes_at = timezone.now() - timedelta(minutes=1)
    quiz.save()
    page = client_for.get(f"/quizzes/{SLUG}/").content.decode()
    assert "This quiz is closed." in page and "Start attempt" not in page
    response = client_for.post(f"/quizzes/{SLUG}/start", follow=True)
    assert "not open for attempts" in response.content.decode()
    assert QuizAttempt.objects.count() == 0


def test_the_formula_preview_reads_without_evaluating(quiz, client_for) -> None:
    page = client_for.get(
        "/quizzes/formula-preview", {"q_chain-log": "2x/(1+x^2)"}
    ).content.decode()
    assert "We read your formula as:" in page and "<math" in page and "2*x/(1 + x^2)" in page
    page = client_for.get("/quizzes/formula-preview", {"q_chain-log": "2x/(1+"}).content.decode()
    assert "Cannot read this yet" in page
    page = client_for.get(
        "/quizzes/formula-preview", {"q_chain-log": "__import__('os')"}
    ).content.decode()
    assert "Cannot read this yet" in page and "<math" not in page


def test_answers_sent_after_the_time_ran_out_are_refused_with_a_reason(
    quiz, client_for, student
) -> None:
    client_for.post(f"/quizzes/{SLUG}/start")
    attempt = QuizAttempt.objects.get(student=student)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(hours=1),
        deadline_at=timezone.now() - timedelta(minutes=5),
    )
    response = client_for.post(
        f"/quizzes/{SLUG}/attempts/1/", {"q_why-autograd": "nested"}, follow=True
    )
    page = response.content.decode()
    assert "Time was up before your answers arrived" in page
    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.answers == {}
    quiz_attempt_grade(attempt_id=attempt.pk)
    assert "0 / 20" in client_for.get(f"/quizzes/{SLUG}/attempts/1/").content.decode()


def test_viewing_an_attempt_whose_time_ran_out_writes_nothing(quiz, client_for, student) -> None:
    """The page says the attempt is being closed and polls; closing it is the sweep's
    (or the page's own clock's) job, never a GET's."""
    client_for.post(f"/quizzes/{SLUG}/start")
    attempt = QuizAttempt.objects.get(student=student)
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        deadline_at=timezone.now() - timedelta(minutes=5)
    )
    for url in (f"/quizzes/{SLUG}/", f"/quizzes/{SLUG}/attempts/1/"):
        assert client_for.get(url).status_code == 200
    page = client_for.get(f"/quizzes/{SLUG}/attempts/1/").content.decode()
    assert "being closed and graded" in page and 'name="q_chain-log"' not in page
    attempt.refresh_from_db()
    assert attempt.status == "in_progress"


HOSTILE_FORMULAS = [
    ("x" * 500, "nested too deeply"),
    ("(" * 300 + "x" + ")" * 300, "too long"),
    ("(" * 100 + "x" + ")" * 100, "nested too deeply"),
    ("x^" * 400 + "x", "too long"),
    ("x^" * 100 + "x", "nested too deeply"),
    ("-" * 2000 + "x", "too long"),
    ("x+" * 249 + "x", ""),  # long but flat: read
]


@pytest.mark.parametrize(("text", "said"), HOSTILE_FORMULAS)
def test_the_formula_preview_refuses_unreadable_formulas_with_a_400_and_a_reason(
    quiz, client_for, text: str, said: str
) -> None:
    response = client_for.get("/quizzes/formula-preview", {"q_chain-log": text})
    page = response.content.decode()
    if not said:
        assert response.status_code == 200 and "We read your formula as:" in page
        return
    assert response.status_code == 400
    assert "Cannot read this yet" in page and said in page


def test_an_unreadable_quiz_formula_is_refused_before_it_is_submitted(quiz, client_for) -> None:
    client_for.post(f"/quizzes/{SLUG}/start")
    spec = load_quiz_spec(SLUG)
    formula_id = next(iter(spec.formulas))
    response = client_for.post(
        f"/quizzes/{SLUG}/attempts/1/", {f"q_{formula_id}": "2*x +", "q_power-slope": "7"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Some answers cannot be read" in page and "Could not read the formula" in page
    # The student's answers are still in the form to fix, and nothing was submitted.
    assert 'value="2*x +"' in page and 'value="7"' in page
    attempt = QuizAttempt.objects.get()
    assert attempt.status == QuizAttempt.Status.IN_PROGRESS and attempt.answers == {}


def test_after_the_deadline_an_unreadable_formula_is_dropped_not_the_attempt(
    quiz, client_for
) -> None:
    client_for.post(f"/quizzes/{SLUG}/start")
    attempt = QuizAttempt.objects.get()
    # Still within the grace after the deadline: the clock's submit is taken as it is.
    attempt.deadline_at = timezone.now() - timedelta(seconds=5)
    attempt.save(update_fields=["deadline_at"])
    formula_id = next(iter(load_quiz_spec(SLUG).formulas))
    response = client_for.post(
        f"/quizzes/{SLUG}/attempts/1/", {f"q_{formula_id}": "2*x +", "q_power-slope": "7"}
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.SUBMITTED
    # The rest is taken; the formula that cannot be read is not an answer.
    assert attempt.answers == {"power-slope": "7"}


def test_a_stored_unreadable_formula_is_graded_zero_with_the_reason(quiz, student) -> None:
    """Answers that reach grading without the page (a regrade of an old attempt) are
    still graded: an unreadable formula scores 0 and says why."""
    from grader.quiz_attempts import quiz_attempt_start, quiz_attempt_submit

    attempt = quiz_attempt_start(student=student, quiz=quiz)
    formula_id = next(iter(load_quiz_spec(SLUG).formulas))
    quiz_attempt_submit(attempt=attempt, answers={formula_id: "x" * 500})
    quiz_attempt_grade(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    result = next(t for t in attempt.results["tests"] if t["question"] == formula_id)
    assert result["score"] == 0 and "nested too deeply" in result["output"]
