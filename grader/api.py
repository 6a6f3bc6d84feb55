"""The small JSON API: submit an answer, read a submission. Plain Django views.

Auth: the session, or `Authorization: Token <key>` (accounts.middleware). Errors are
JSON with a message a student can act on."""

from __future__ import annotations

import json
import time
from typing import Any, cast

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from exercises.models import Exercise

from .intake import AnswerRejected
from .selectors import (
    submission_of_student,
    submission_payload,
    submission_wait_final,
    wait_seconds,
)
from .services import submission_create

MAX_BODY_BYTES = 256 * 1024


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _unauthenticated(request: HttpRequest) -> JsonResponse | None:
    if getattr(request, "token_auth_failed", False):
        return _error("Invalid API token.", 401)
    if not request.user.is_authenticated:
        return _error("Authentication required: log in or send 'Authorization: Token <key>'.", 401)
    return None


def _payload(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY_BYTES:
        raise AnswerRejected(f"Request body over {MAX_BODY_BYTES:,} bytes.", status=413)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise AnswerRejected("The request body is not UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise AnswerRejected(f"The request body is not JSON: {exc.msg}.") from exc
    if not isinstance(data, dict):
        raise AnswerRejected('Send a JSON object: {"exercise": "<slug>", "answer": "<text>"}.')
    return data


@login_not_required
@require_POST
def submissions_create(request: HttpRequest) -> JsonResponse:
    if (denied := _unauthenticated(request)) is not None:
        return denied
    not_final_before = time.monotonic()  # it does not exist yet
    try:
        data = _payload(request)
        slug = data.get("exercise")
        if not isinstance(slug, str):
            raise AnswerRejected("'exercise' (a slug) is required.")
        exercise = Exercise.objects.filter(slug=slug, is_active=True).first()
        if exercise is None:
            raise AnswerRejected(f"Unknown exercise {slug!r}.", status=404)
        submission = submission_create(
            student=cast(User, request.user),
            exercise=exercise,
            answer=data.get("answer"),
            parts=data.get("parts"),
            # As Stripe's and the IETF draft's header: a retried request with the same
            # key returns the submission the first one stored.
            idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
        )
    except AnswerRejected as exc:
        return _error(exc.message, exc.status)
    url = request.build_absolute_uri(reverse("api:submission", args=[submission.pk]))
    # ?wait=<seconds>: answer with the result itself (200) if it is final in time, so a
    # client needs one request per answer; otherwise 202 as without it.
    wait = wait_seconds(request.GET.get("wait"))
    if wait > 0:
        submission = submission_wait_final(submission, wait, pending_since=not_final_before)
        if submission.is_final:
            return JsonResponse(submission_payload(submission, url=url), status=200)
    return JsonResponse({"id": submission.pk, "url": url, "status": submission.status}, status=202)


@login_not_required
@require_GET
def submissions_detail(request: HttpRequest, pk: int) -> JsonResponse:
    if (denied := _unauthenticated(request)) is not None:
        return denied
    # ?wait=<seconds> (up to GRADER_WAIT_MAX_SECONDS): answer as soon as the submission
    # is final, or with its current state when the time is up: a long poll.
    submission = submission_of_student(
        student=cast(User, request.user), pk=pk, wait=wait_seconds(request.GET.get("wait"))
    )
    if submission is None:  # someone else's and missing look the same
        return _error("No such submission.", 404)
    url = request.build_absolute_uri(reverse("api:submission", args=[pk]))
    return JsonResponse(submission_payload(submission, url=url))
