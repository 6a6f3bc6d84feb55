from __future__ import annotations

import time
import uuid
from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from exercises.course import load_spec
from exercises.rendering import render_statement
from exercises.selectors import exercises_active
from exercises.spec import variant_seed

from .deadlines import due_at_for
from .forms import AnswerForm
from .hints import hint_ladder, hint_request
from .intake import AnswerRejected
from .models import Submission
from .selectors import (
    attempt_rows,
    submission_of_student,
    submission_wait_final,
)
from .services import submission_create
from .standing import course_standing
from .views import result_card


def exercise_list(request: HttpRequest) -> HttpResponse:
    """The course at a glance: the total, progress per section of the notes, and every
    exercise and quiz on one list (the same standing the gradebook shows)."""
    standing = course_standing(student=cast(User, request.user))
    return render(request, "exercises/list.html", {"standing": standing})


@require_http_methods(["GET", "POST"])
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(exercises_active(), slug=slug)
    student = cast(User, request.user)
    params = load_spec(slug).params(variant_seed(student.pk, slug))
    form: AnswerForm | None = None
    error = ""
    error_line: int | None = None
    status = 200
    if request.method == "POST":
        not_final_before = time.monotonic()  # the submission does not exist yet
        form = AnswerForm(request.POST, exercise=exercise, params=params)
        error, status = "Some fields are not valid; see below.", 400
        if form.is_valid():
            try:
                submission = submission_create(
                    student=student,
                    exercise=exercise,
                    answer=form.cleaned_data.get("answer", ""),
                    parts=form.part_answers(),
                    idempotency_key=request.POST.get("idempotency_key", ""),
                )
            except AnswerRejected as exc:
                error, status, error_line = exc.message, exc.status, exc.line
            else:
                if request.htmx:  # type: ignore[attr-defined]
                    return _submitted_fragment(request, submission, not_final_before)
                return redirect(f"{request.path}?submission={submission.pk}#result")
        if request.htmx:  # type: ignore[attr-defined]
            # The form stays as the student left it (and the code editor with it): only
            # the result area changes, to say what is wrong.
            return render(
                request,
                "exercises/_answer_error.html",
                {"error": error, "error_line": error_line, "form": form},
                status=status,
            )
    rows = attempt_rows(student=student, exercise=exercise)
    if form is None:
        # The box shows the student's last answer, so a small fix is a small edit.
        last_answer = rows[0].answer if rows else exercise.starter
        form = AnswerForm(None, exercise=exercise, params=params, initial={"answer": last_answer})
    # ?submission=<pk>: one of the attempts in the table, shown in full.
    current_pk = next(
        (row.pk for row in rows if str(row.pk) == request.GET.get("submission")), None
    )
    context = {
        "exercise": exercise,
        "statement": render_statement(exercise.statement_md, params),
        "form": form,
        "error": error,
        "error_line": error_line,
        # One submit, one attempt: the form sends this key, and the same key again (a
        # double click, a resent form) finds the attempt already stored.
        "idempotency_key": uuid.uuid4().hex,
        "attempts": rows,
        "current": (
            submission_of_student(student=student, pk=current_pk)
            if current_pk is not None
            else None
        ),
        "card_wait": settings.GRADER_CARD_WAIT_SECONDS,
        "hints": hint_ladder(student=student, exercise=exercise),
        "due_at": due_at_for(student_id=student.pk, exercise=exercise),
    }
    return render(request, "exercises/detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def exercise_hints(request: HttpRequest, slug: str) -> HttpResponse:
    """The hint ladder (GET: as it stands, for the page to refresh after an attempt is
    graded); POST opens the next hint at the student's request."""
    exercise = get_object_or_404(exercises_active(), slug=slug)
    student = cast(User, request.user)
    if request.method == "POST":
        hint_request(student=student, exercise=exercise)
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect(f"{reverse('exercises:detail', args=[slug])}#hints")
    return render(
        request,
        "exercises/_hints.html",
        {"exercise": exercise, "hints": hint_ladder(student=student, exercise=exercise)},
    )


def _submitted_fragment(
    request: HttpRequest, submission: Submission, not_final_before: float
) -> HttpResponse:
    """What an htmx submit gets instead of a redirect and a whole page: the result card
    and the attempts table, swapped in place. Most answers are graded within a few
    tens of milliseconds, so the request waits a moment for the score (one request per
    answer); a card still pending then waits for it itself (a long poll)."""
    submission = submission_wait_final(
        submission, settings.GRADER_SUBMIT_WAIT_SECONDS, pending_since=not_final_before
    )
    response = result_card(request, submission, with_history=True)
    response["HX-Push-Url"] = f"{request.path}?submission={submission.pk}"
    return response
