from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Submission
from .selectors import results_for_student

POLL_FIRST_MS = 250
POLL_MAX_MS = 2000


def poll_delay_ms(poll: int) -> int:
    """Delay before the next poll: fast at first (most answers are graded in well under
    a second), then backing off, so a long queue is not made longer by the polls."""
    return min(POLL_FIRST_MS * 2 ** max(poll, 0), POLL_MAX_MS)


@require_GET
def submission_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The live result card: htmx polls it until the submission is final."""
    try:
        poll = min(int(request.GET.get("poll", "0")), 20)
    except ValueError:
        poll = 0
    submission = (
        Submission.objects.select_related("exercise")
        .filter(pk=pk, student=cast(User, request.user))
        .first()
    )
    if submission is None:
        raise Http404("No such submission.")
    return render(
        request,
        "grader/_result.html",
        {
            "submission": submission,
            "results": results_for_student(submission),
            "next_poll": poll + 1,
            "poll_delay_ms": poll_delay_ms(poll),
        },
    )
