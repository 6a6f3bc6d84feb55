"""The admin grading console: instructors read it, staff act on it.

Every state change is a POST (CSRF-checked by the middleware) to a view decorated with
`staff_required`; the read views only show the write forms to staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import is_staff
from exercises.models import QuizAttempt
from grader.models import RegradeJob, Submission
from grader.overrides import OverrideRejected, override_remove, override_set
from grader.quiz_attempts import QuizRegradeRejected, quiz_attempt_regrade
from grader.regrade import (
    RegradeRejected,
    regrade_progress,
    regrade_progress_many,
    regrade_request,
)

from . import console_selectors as cs
from .forms import (
    AuditFilterForm,
    OverrideForm,
    QuizAttemptFilterForm,
    ReasonForm,
    RegradeForm,
    SubmissionFilterForm,
)
from .permissions import instructor_required, staff_required
from .services import stuck_requeue

PAGE_SIZE = 50
Row = TypeVar("Row", Submission, QuizAttempt)
# htmx stops polling when a response has this status (htmx docs, "hx-trigger every").
HTMX_STOP_POLLING = 286


@require_GET
@instructor_required
def submission_list(request: HttpRequest) -> HttpResponse:
    form = SubmissionFilterForm(request.GET or None)
    filters = form.filters() if request.GET else cs.SubmissionFilters()
    page = _page_without_count(cs.submissions_filtered(filters=filters), request.GET.get("page"))
    rows = page.rows
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/submissions.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "overrides": cs.overridden_scores(submission_ids=[s.pk for s in rows]),
            "query": query.urlencode(),
            "can_write": is_staff(request.user),
            "exercises": form.fields["exercise"].queryset,  # type: ignore[attr-defined]
        },
    )


@dataclass(frozen=True)
class LightPage(Generic[Row]):
    """A page of newest-first rows with previous/next links and no total: counting
    every submission costs more than the page itself (190 ms on PostgreSQL at 200,000
    rows), and the console is for finding rows, not counting them."""

    rows: list[Row]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page_without_count(qs: QuerySet[Row], number: str | None) -> LightPage[Row]:
    page = int(number) if number and number.isdigit() and int(number) > 0 else 1
    start = (page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE + 1])
    return LightPage(rows=rows[:PAGE_SIZE], number=page, has_next=len(rows) > PAGE_SIZE)


@require_GET
@instructor_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = cs.submission_detail(submission_id=pk)
    if detail is None:
        raise Http404("No such submission.")
    return _render_detail(request, detail)


def _render_detail(
    request: HttpRequest,
    detail: cs.SubmissionDetail,
    *,
    override_form: OverrideForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sub = detail.submission
    return render(
        request,
        "console/submission.html",
        {
            "d": detail,
            "sub": sub,
            "can_write": is_staff(request.user),
            "override_form": override_form
            or OverrideForm(
                max_score=sub.max_score,
                initial={"score": detail.override.score if detail.override else sub.score},
            ),
            "remove_form": ReasonForm(),
        },
        status=status,
    )


@require_POST
@staff_required
def submission_override(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("exercise"), pk=pk)
    form = OverrideForm(request.POST, max_score=submission.max_score)
    if form.is_valid():
        try:
            override_set(
                actor=request.user,  # type: ignore[arg-type]
                submission=submission,
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
            )
        except OverrideRejected as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Score of submission #{pk} overridden.")
            return redirect("console:submission", pk=pk)
    detail = cs.submission_detail(submission_id=pk)
    assert detail is not None
    return _render_detail(request, detail, override_form=form, status=400)


@require_POST
@staff_required
def submission_override_remove(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("exercise"), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Removing an override needs a reason.")
        return redirect("console:submission", pk=pk)
    try:
        override_remove(
            actor=request.user,  # type: ignore[arg-type]
            submission=submission,
            reason=form.cleaned_data["reason"],
        )
    except OverrideRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Override on submission #{pk} removed.")
    return redirect("console:submission", pk=pk)


@require_POST
@staff_required
def regrade(request: HttpRequest) -> HttpResponse:
    form = RegradeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(map(str, form.non_field_errors())) or "Nothing to regrade."
        )
        return redirect("console:submissions")
    try:
        job = regrade_request(
            actor=request.user,  # type: ignore[arg-type]
            submission_ids=[s.pk for s in form.cleaned_data["submissions"]],
            exercise=form.cleaned_data["exercise"],
            reason=form.cleaned_data["reason"],
        )
    except RegradeRejected as exc:
        messages.error(request, str(exc))
        return redirect("console:submissions")
    return redirect("console:regrade", pk=job.pk)


@require_GET
@instructor_required
def regrade_list(request: HttpRequest) -> HttpResponse:
    jobs = cs.regrade_jobs()
    progress = regrade_progress_many(jobs=jobs)
    return render(
        request, "console/regrades.html", {"jobs": [(job, progress[job.pk]) for job in jobs]}
    )


@require_GET
@instructor_required
def regrade_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(RegradeJob.objects.select_related("exercise", "created_by"), pk=pk)
    progress = regrade_progress(job=job)
    context = {"job": job, "progress": progress}
    if request.htmx:  # type: ignore[attr-defined]
        status = HTMX_STOP_POLLING if progress.is_complete else 200
        return render(request, "console/_regrade_progress.html", context, status=status)
    return render(request, "console/regrade.html", context)


@require_GET
@instructor_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/queue.html",
        {"health": cs.queue_health(), "can_write": is_staff(request.user)},
    )


@require_GET
@instructor_required
def queue_workers(request: HttpRequest) -> HttpResponse:
    return render(request, "console/_workers.html", {"workers": cs.workers_alive()})


@require_POST
@staff_required
def queue_requeue_stuck(request: HttpRequest) -> HttpResponse:
    requeued = stuck_requeue(actor=request.user)  # type: ignore[arg-type]
    messages.success(request, f"Re-enqueued {len(requeued)} stuck submission(s).")
    return redirect("console:queue")


@require_GET
@instructor_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    page = Paginator(cs.audit_entries(action=action), PAGE_SIZE).get_page(
        request.GET.get("page", 1)
    )
    query = urlencode({"action": action}) if action else ""
    return render(request, "console/audit.html", {"form": form, "page": page, "query": query})


@require_GET
@instructor_required
def quiz_attempt_list(request: HttpRequest) -> HttpResponse:
    form = QuizAttemptFilterForm(request.GET or None)
    filters = form.filters() if request.GET else cs.QuizAttemptFilters()
    page = _page_without_count(cs.quiz_attempts_filtered(filters=filters), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/quiz_attempts.html",
        {"form": form, "page": page, "rows": page.rows, "query": query.urlencode()},
    )


@require_GET
@instructor_required
def quiz_attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = cs.quiz_attempt_detail(attempt_id=pk)
    if detail is None:
        raise Http404("No such quiz attempt.")
    return render(
        request,
        "console/quiz_attempt.html",
        {
            "d": detail,
            "attempt": detail.attempt,
            "can_write": is_staff(request.user),
            "regrade_form": ReasonForm(),
        },
    )


@require_POST
@staff_required
def quiz_attempt_regrade_view(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(QuizAttempt.objects.select_related("quiz"), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A regrade needs a reason.")
        return redirect("console:quiz_attempt", pk=pk)
    try:
        quiz_attempt_regrade(
            actor=request.user,  # type: ignore[arg-type]
            attempt=attempt,
            reason=form.cleaned_data["reason"],
        )
    except QuizRegradeRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Quiz attempt #{pk} queued for regrading.")
    return redirect("console:quiz_attempt", pk=pk)
