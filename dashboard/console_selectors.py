"""Reads for the admin grading console: submissions with filters, one submission in
full, regrade jobs, queue health and the audit log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from exercises.models import QuizAttempt
from grader.models import AuditLogEntry, RegradeJob, ScoreOverride, Submission

logger = logging.getLogger(__name__)

LIST_FIELDS = (
    "id", "status", "score", "max_score", "attempt", "is_late", "misconception",
    "grader_version", "submitted_at", "graded_at", "timings", "grade_attempts",
    "student__id", "student__username", "exercise__id", "exercise__slug",
)  # fmt: skip
FAILURE_FIELDS = (
    "id", "error_message", "graded_at", "submitted_at", "grade_attempts",
    "student__username", "exercise__slug",
)  # fmt: skip


@dataclass(frozen=True)
class SubmissionFilters:
    exercise_id: int | None = None
    student: str = ""
    status: str = ""
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None
    score_min: float | None = None
    score_max: float | None = None
    misconception: str = ""
    overridden: bool = False


def submissions_filtered(*, filters: SubmissionFilters) -> QuerySet[Submission]:
    """Submissions matching the console's filters, newest first, without the heavy
    columns (answer, results, sandbox output) that only the detail page shows."""
    qs = Submission.objects.select_related("student", "exercise").only(*LIST_FIELDS)
    if filters.exercise_id:
        qs = qs.filter(exercise_id=filters.exercise_id)
    if filters.student:
        qs = qs.filter(student__username__icontains=filters.student)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.submitted_from:
        qs = qs.filter(submitted_at__gte=filters.submitted_from)
    if filters.submitted_to:
        qs = qs.filter(submitted_at__lt=filters.submitted_to)
    if filters.score_min is not None:
        qs = qs.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        qs = qs.filter(score__lte=filters.score_max)
    if filters.misconception:
        qs = qs.filter(misconception=filters.misconception)
    if filters.overridden:
        qs = qs.filter(overrides__revoked_at__isnull=True, overrides__isnull=False)
    return qs.order_by("-submitted_at", "-id")


def overridden_scores(*, submission_ids: list[int]) -> dict[int, float]:
    """The active override of each listed submission that has one (one query)."""
    return dict(
        ScoreOverride.objects.filter(
            submission_id__in=submission_ids, revoked_at__isnull=True
        ).values_list("submission_id", "score")
    )


@dataclass
class SubmissionDetail:
    submission: Submission
    override: ScoreOverride | None
    overrides: list[ScoreOverride]
    history: list[Any]
    audit: list[AuditLogEntry]


def submission_detail(*, submission_id: int) -> SubmissionDetail | None:
    submission = (
        Submission.objects.select_related("student", "exercise").filter(pk=submission_id).first()
    )
    if submission is None:
        return None
    overrides = list(submission.overrides.select_related("created_by"))
    return SubmissionDetail(
        submission=submission,
        override=next((o for o in overrides if o.is_active), None),
        overrides=overrides,
        history=list(submission.history.select_related("job")),
        audit=list(
            AuditLogEntry.objects.filter(submission=submission).select_related(
                "student", "exercise"
            )
        ),
    )


# --- Regrade jobs --------------------------------------------------------------------


def regrade_jobs(*, limit: int = 50) -> list[RegradeJob]:
    return list(RegradeJob.objects.select_related("exercise", "created_by")[:limit])


# --- Queue health ------------------------------------------------------------------


@dataclass(frozen=True)
class QueueHealth:
    counts: dict[str, int]
    oldest_queued_at: datetime | None
    oldest_running_at: datetime | None
    stuck: int
    stuck_after: timedelta
    recent_failures: list[Submission]
    now: datetime

    @property
    def oldest_queued_age(self) -> timedelta | None:
        return self.now - self.oldest_queued_at if self.oldest_queued_at else None

    @property
    def oldest_running_age(self) -> timedelta | None:
        return self.now - self.oldest_running_at if self.oldest_running_at else None


def queue_health(*, failures: int = 10) -> QueueHealth:
    """Queued, running and errored counts, the oldest waiting ones, how many the sweep
    would re-enqueue and the latest failures: three queries on the (status,
    enqueued_at) index and one for the failures."""
    now = timezone.now()
    # Only the statuses that need attention: counting every graded submission would
    # scan the table, while these few rows come from the (status, enqueued_at) index.
    watched = (Submission.Status.QUEUED, Submission.Status.RUNNING, Submission.Status.ERROR)
    counts: dict[str, int] = {str(status): 0 for status in watched}
    rows = (
        Submission.objects.filter(status__in=list(counts))
        .order_by()
        .values("status")
        .annotate(count=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    stuck_after = timedelta(seconds=settings.GRADER_STUCK_AFTER_SECONDS)
    cutoff = now - stuck_after
    ages = Submission.objects.filter(
        status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING]
    ).aggregate(
        oldest_queued=Min("enqueued_at", filter=Q(status=Submission.Status.QUEUED)),
        oldest_running=Min("started_at", filter=Q(status=Submission.Status.RUNNING)),
        stuck=Count(
            "id",
            filter=Q(status=Submission.Status.QUEUED, enqueued_at__lt=cutoff)
            | Q(status=Submission.Status.RUNNING, started_at__lt=cutoff),
        ),
    )
    recent = list(
        Submission.objects.filter(status=Submission.Status.ERROR)
        .select_related("student", "exercise")
        .only(*FAILURE_FIELDS)
        .order_by("-graded_at", "-id")[:failures]
    )
    return QueueHealth(
        counts=counts,
        oldest_queued_at=ages["oldest_queued"],
        oldest_running_at=ages["oldest_running"],
        stuck=ages["stuck"],
        stuck_after=stuck_after,
        recent_failures=recent,
        now=now,
    )


def workers_alive(*, timeout: float = 1.0) -> list[str] | None:
    """Names of the Celery workers that answered a broadcast ping within `timeout`
    seconds; None if the broker itself could not be reached.

    A ping, not a heartbeat table: it asks the workers now instead of trusting a row
    they wrote earlier, it needs nothing in the worker, and the console loads it in
    its own request so the page never waits for it."""
    from autograd_course.celery import app

    try:
        replies = app.control.inspect(timeout=timeout).ping() or {}
    except Exception:  # broker down or unreachable: say so instead of failing the page
        logger.warning("could not ping the Celery workers", exc_info=True)
        return None
    return sorted(replies)


# --- Audit log -----------------------------------------------------------------------


def audit_entries(*, action: str = "") -> QuerySet[AuditLogEntry]:
    qs = AuditLogEntry.objects.select_related("exercise", "student")
    if action:
        qs = qs.filter(action=action)
    return qs


# --- Quiz attempts -------------------------------------------------------------------

QUIZ_ATTEMPT_LIST_FIELDS = (
    "id", "number", "status", "score", "max_score", "timed_out", "started_at",
    "submitted_at", "graded_at", "grade_attempts", "error_message",
    "student__id", "student__username", "quiz__id", "quiz__slug", "quiz__title",
)  # fmt: skip


@dataclass(frozen=True)
class QuizAttemptFilters:
    quiz_slug: str = ""
    student: str = ""
    status: str = ""


def quiz_attempts_filtered(*, filters: QuizAttemptFilters) -> QuerySet[QuizAttempt]:
    """Quiz attempts matching the console's filters, newest first, without the answers
    and results that only the detail page shows."""
    qs = QuizAttempt.objects.select_related("student", "quiz").only(*QUIZ_ATTEMPT_LIST_FIELDS)
    if filters.quiz_slug:
        qs = qs.filter(quiz__slug=filters.quiz_slug)
    if filters.student:
        qs = qs.filter(student__username__icontains=filters.student)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-started_at", "-id")


@dataclass(frozen=True)
class QuestionRow:
    """One question of an attempt, for staff: what was asked, answered and scored."""

    question: dict[str, Any]
    answer: str
    result: dict[str, Any] | None


@dataclass
class QuizAttemptDetail:
    attempt: QuizAttempt
    questions: list[QuestionRow]
    audit: list[AuditLogEntry]


def _staff_answer_text(question: dict[str, Any], value: Any) -> str:
    if value in (None, "", []):
        return ""
    if question.get("kind") != "choice":
        return str(value)
    texts = {o["id"]: o["text"] for o in question.get("options", [])}
    chosen = value if isinstance(value, list) else [value]
    return "; ".join(f"{texts.get(c, c)} [{c}]" for c in chosen)


def quiz_attempt_detail(*, attempt_id: int) -> QuizAttemptDetail | None:
    """An attempt in full (every question's result, hidden ones included: staff see
    everything) and the audit entries about it. Two queries."""
    attempt = QuizAttempt.objects.select_related("student", "quiz").filter(pk=attempt_id).first()
    if attempt is None:
        return None
    by_id = {t.get("question"): t for t in (attempt.results or {}).get("tests", [])}
    questions = [
        QuestionRow(
            question=q,
            answer=_staff_answer_text(q, (attempt.answers or {}).get(q["id"])),
            result=by_id.get(q["id"]),
        )
        for q in attempt.quiz.questions
    ]
    audit = list(
        AuditLogEntry.objects.filter(new_value__quiz_attempt=attempt.pk).select_related(
            "student", "exercise"
        )
    )
    return QuizAttemptDetail(attempt=attempt, questions=questions, audit=audit)
