from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Submission
from .selectors import (
    PENDING_STATUSES,
    attempt_rows,
    results_for_student,
    submission_of_student,
    wait_seconds,
)

POLL_FIRST_MS = 250
POLL_MAX_MS = 2000


def poll_delay_ms(poll: int) -> int:
    """Delay before the next poll: fast at first (most answers are graded in well under
    a second), then backing off, so a long queue is not made longer by the polls."""
    return min(POLL_FIRST_MS * 2 ** max(poll, 0), POLL_MAX_MS)


@require_GET
def submission_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The live result card. htmx asks for it again until the submission is final; each
    request waits server-side (`wait`, a long poll) for the result, so a student whose
    answer takes a second costs one request, not five."""
    try:
        poll = min(int(request.GET.get("poll", "0")), 20)
    except ValueError:
        poll = 0
    # The card says which pending state it shows: the wait ends at the next state, so
    # the student sees queued, then running, then the score.
    seen = request.GET.get("seen")
    submission = submission_of_student(
        student=cast(User, request.user),
        pk=pk,
        wait=wait_seconds(request.GET.get("wait")),
        seen=seen if seen in PENDING_STATUSES else None,
    )
    if submission is None:
        raise Http404("No such submission.")
    # Once final, the page's attempts table is brought up to date with it (out of band).
    with_history = submission.is_final and bool(getattr(request, "htmx", False))
    return result_card(request, submission, poll=poll, with_history=with_history)


def result_card(
    request: HttpRequest, submission: Submission, *, poll: int | None = None, with_history: bool
) -> HttpResponse:
    """The requesting student's result card, which asks for itself again while the
    submission is pending (at once after a submit, ``poll`` None; else backing off),
    with the attempts table swapped in out of band if ``with_history``."""
    response = render(
        request,
        "grader/_result_live.html",
        {
            "submission": submission,
            "results": results_for_student(submission) if submission.is_final else None,
            "next_poll": 1 if poll is None else poll + 1,
            "poll_delay_ms": 0 if poll is None else poll_delay_ms(poll),
            "wait": settings.GRADER_CARD_WAIT_SECONDS,
            "with_history": with_history,
            "attempts": (
                attempt_rows(student=cast(User, request.user), exercise=submission.exercise)
                if with_history
                else []
            ),
        },
    )
    if submission.is_final:
        # The page's parts that depend on the outcome (the hint ladder) refresh on it.
        response["HX-Trigger"] = "submission-final"
    return response
