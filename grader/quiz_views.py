from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from exercises.rendering import latex_to_mathml, render_statement

from . import kinds
from .kinds.sandboxed import SandboxKind
from .quiz_attempts import (
    MAX_ANSWER_CHARS,
    QuizRefused,
    quiz_attempt_is_expired,
    quiz_attempt_save_draft,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from .quiz_forms import QuestionRow, QuizForm
from .quiz_selectors import (
    PENDING_STATUSES,
    quiz_attempt_wait_final,
    quiz_results_for_student,
    quiz_standing,
    quiz_standings,
    quizzes_active,
)
from .sandbox.formula import FormulaError, parse
from .selectors import wait_seconds


def _student(request: HttpRequest) -> User:
    # LoginRequiredMiddleware guarantees a logged-in user on every page here.
    assert isinstance(request.user, User)
    return request.user


@require_GET
def formula_preview(request: HttpRequest) -> HttpResponse:
    """How a formula will be read, as math: a pure parse of the text, never evaluated
    (the quiz page calls it as the student types)."""
    # The quiz's fields are q_<id>; an exercise's main answer box is "answer".
    key = next((k for k in request.GET if k.startswith("q_") or k == "answer"), "")
    text = request.GET.get(key, "") if key else ""
    text = text.strip()
    context: dict[str, Any] = {"text": text[:MAX_ANSWER_CHARS]}
    status = 200
    if text:
        try:
            # Uncut: the parser itself says "too long" (checked before any work).
            expr = parse(text)
        except FormulaError as exc:
            # 400 so that no client takes it for a reading; the quiz page swaps it in
            # anyway (data-swap-errors, static/js/answer.js) so the student sees why.
            context["error"], status = str(exc), 400
        else:
            context["read_as"] = expr.to_text()
            context["mathml"] = latex_to_mathml(expr.to_latex())
    return render(request, "exercises/quiz_formula_preview.html", context, status=status)


def quiz_list(request: HttpRequest) -> HttpResponse:
    standings = quiz_standings(student=_student(request))
    return render(request, "exercises/quiz_list.html", {"standings": standings})


def quiz_detail(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(quizzes_active(), slug=slug)
    standing = quiz_standing(student=_student(request), quiz=quiz)
    context = {"quiz": quiz, "standing": standing, "intro": render_statement(quiz.intro_md)}
    return render(request, "exercises/quiz_detail.html", context)


@require_POST
def quiz_start(request: HttpRequest, slug: str) -> HttpResponse:
    quiz = get_object_or_404(quizzes_active(), slug=slug)
    try:
        attempt = quiz_attempt_start(student=_student(request), quiz=quiz)
    except QuizRefused as exc:
        messages.error(request, exc.message)
        return redirect("exercises:quiz", slug=slug)
    return redirect("exercises:quiz_attempt", slug=slug, number=attempt.number)


def _own_attempt(request: HttpRequest, slug: str, number: int) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.select_related("quiz")
        .filter(quiz__slug=slug, student=_student(request), number=number)
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


TIME_UP = "Time was up before your answers arrived; they were not counted."


def _answer_text(question: dict[str, Any], answers: dict[str, Any]) -> str:
    return kinds.kind(question["kind"]).shown(question, answers.get(question["id"]))


def _attempt_context(attempt: QuizAttempt, form: QuizForm) -> dict[str, Any]:
    """What the attempt page and its status fragment show for the attempt's state."""
    rows = form.rows()
    results = None
    graded_rows: list[tuple[QuestionRow, dict[str, Any] | None, str]] = []
    if attempt.status == QuizAttempt.Status.GRADED:
        results = quiz_results_for_student(attempt)
        # Each question next to its result and the answer that was given.
        by_id = {t["question"]: t for t in results["tests"]}
        graded_rows = [
            (row, by_id.get(row.question["id"]), _answer_text(row.question, attempt.answers))
            for row in rows
        ]
    expired = quiz_attempt_is_expired(attempt)
    return {
        "quiz": attempt.quiz,
        "attempt": attempt,
        "rows": rows,
        "results": results,
        "graded_rows": graded_rows,
        # Submitted and waiting for a worker, or open with its time up (the page's clock
        # or the sweep submits it): the page shows progress and asks again. A worker's
        # result is waited for server-side (the long poll: `wait`); an open attempt
        # whose time is up is asked about again after a second.
        "pending": attempt.status in PENDING_STATUSES or expired,
        "expired": expired,
        "wait": settings.GRADER_CARD_WAIT_SECONDS,
        "poll_delay_ms": 0 if attempt.status in PENDING_STATUSES else 1000,
    }


@require_http_methods(["GET", "POST"])
def quiz_attempt(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    attempt = _own_attempt(request, slug, number)
    quiz: Quiz = attempt.quiz
    params = load_quiz_spec(quiz.slug).params(attempt.seed)
    # The page opens with the draft saved as the student typed (a reload loses nothing).
    initial = {f"q_{k}": v for k, v in attempt.draft_answers.items()}
    form = QuizForm(request.POST or None, quiz=quiz, params=params, initial=initial)
    if request.method == "POST":
        readable = form.is_valid() and not _mark_unreadable(form)
        if not readable and attempt.is_open and not _at_deadline(attempt):
            # An answer the student can still fix (a formula we cannot read) is said
            # now, not graded 0 later. Once the time is up the clock's submit goes
            # through: invalid fields are dropped, never the whole attempt.
            context = _attempt_context(attempt, form)
            context["form_error"] = "Some answers cannot be read; see the questions marked below."
            return render(request, "exercises/quiz_attempt.html", context, status=400)
        try:
            attempt = quiz_attempt_submit(attempt=attempt, answers=form.answers())
        except QuizRefused as exc:
            messages.error(request, TIME_UP if attempt.timed_out else exc.message)
        else:
            if attempt.timed_out:
                messages.error(request, TIME_UP)
        return redirect("exercises:quiz_attempt", slug=slug, number=number)
    return render(request, "exercises/quiz_attempt.html", _attempt_context(attempt, form))


def _mark_unreadable(form: QuizForm) -> bool:
    """Mark each answer its kind refuses to run (a formula the parser cannot read) on
    its field, with the reason; True if there was one."""
    found = False
    for question in form.quiz.questions:
        kind = kinds.kind(question["kind"])
        name = QuizForm.field_name(question)
        text = str(form.cleaned_data.get(name) or "").strip()
        why = kind.refusal(question, text) if text and isinstance(kind, SandboxKind) else ""
        if why:
            form.add_error(name, why)
            found = True
    return found


def _at_deadline(attempt: QuizAttempt) -> bool:
    """The time is up, or all but: the page's clock submits at zero, a little early or
    late by the student's clock, and that submit must never bounce."""
    return attempt.deadline_at is not None and timezone.now() >= attempt.deadline_at - timedelta(
        seconds=2
    )


def _typed_answers(quiz: Quiz, data: Any) -> dict[str, Any]:
    """The answers as typed, readable or not: a draft keeps them all."""
    answers: dict[str, Any] = {}
    for question in quiz.questions:
        name = QuizForm.field_name(question)
        multiple = question["kind"] == "choice" and question.get("multiple")
        answers[question["id"]] = data.getlist(name) if multiple else data.get(name, "")
    return answers


@require_POST
def quiz_attempt_draft(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    """Save the answers typed so far (the page sends them as the student types)."""
    attempt = _own_attempt(request, slug, number)
    if not quiz_attempt_save_draft(
        attempt=attempt, answers=_typed_answers(attempt.quiz, request.POST)
    ):
        return JsonResponse(
            {"error": "This attempt is closed: it was submitted, or its time is up. Reload."},
            status=409,
        )
    attempt.refresh_from_db(fields=["draft_saved_at"])
    assert attempt.draft_saved_at is not None
    saved = timezone.localtime(attempt.draft_saved_at)
    return JsonResponse(
        {"saved_at": saved.isoformat(), "saved_at_text": saved.strftime("%H:%M:%S")}
    )


@require_GET
def quiz_attempt_state(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The attempt's state as a fragment, asked for by the page while it is being graded:
    progress until a worker has graded it, then the result (read-only: no GET writes).
    With ``wait``, the request is held until the result is stored (a long poll, as for
    an exercise's result card: grader/notify.py) or the wait is over."""
    attempt = _own_attempt(request, slug, number)
    wait = wait_seconds(request.GET.get("wait"))
    if wait and attempt.status in PENDING_STATUSES:
        attempt = quiz_attempt_wait_final(attempt, wait)
    params = load_quiz_spec(attempt.quiz.slug).params(attempt.seed)
    form = QuizForm(None, quiz=attempt.quiz, params=params)
    return render(request, "exercises/_quiz_attempt_state.html", _attempt_context(attempt, form))
