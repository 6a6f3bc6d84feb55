from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Submission
from .selectors import results_for_student


@require_GET
def submission_result(request: HttpRequest, pk: int) -> HttpResponse:
    """The live result card: htmx polls it until the submission is final."""
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
        {"submission": submission, "results": results_for_student(submission)},
    )
