"""Regrading: one submission, a selection, or every submission to an exercise.

A regrade is the ordinary grading run again: the dispatch snapshots each final result
into SubmissionResultHistory, puts the submission back in `queued` and enqueues
`grade_submission_task`, so `services.submission_grade` claims it, grades the stored
answer with the stored seed and recomputes the student's Score (overrides included)
exactly as it did the first time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from exercises.models import Exercise

from . import queue
from .audit import audit_record
from .models import AuditLogEntry, RegradeJob, Submission, SubmissionResultHistory

DISPATCH_CHUNK = 500
# A selection is stored on the job and read back with one IN (...): beyond this, regrade
# the exercise instead (databases cap the parameters of one statement).
MAX_SELECTION = 5000
SNAPSHOT_FIELDS = (
    "status", "score", "max_score", "results", "misconception", "error_message",
    "sandbox_stdout", "sandbox_stderr", "grader_version", "timings", "graded_at",
)  # fmt: skip


class RegradeRejected(ValueError):
    """Nothing was requested; the message says why."""


def regrade_request(
    *,
    actor: AbstractBaseUser,
    submission_ids: Iterable[int] = (),
    exercise: Exercise | None = None,
    reason: str = "",
) -> RegradeJob:
    """Record a regrade of the given submissions, or of a whole exercise, and enqueue
    its dispatch after commit. The web request stays short whatever the size."""
    ids = sorted({int(i) for i in submission_ids})
    if exercise is None and not ids:
        raise RegradeRejected("Choose at least one submission, or an exercise.")
    if len(ids) > MAX_SELECTION:
        raise RegradeRejected(
            f"{len(ids)} submissions selected; at most {MAX_SELECTION} at once. "
            "To regrade everything for an exercise, regrade the exercise."
        )
    with transaction.atomic():
        job = RegradeJob.objects.create(
            scope=RegradeJob.Scope.EXERCISE if exercise else RegradeJob.Scope.SUBMISSIONS,
            exercise=exercise,
            submission_ids=[] if exercise else ids,
            reason=reason.strip(),
            created_by_id=actor.pk,
        )
        single = Submission.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.REGRADE_REQUESTED,
            submission=single,
            exercise=exercise,
            new_value={"job": job.pk, "scope": job.scope, "submissions": len(ids) or None},
            reason=job.reason,
        )
        transaction.on_commit(partial(queue.enqueue, queue.REGRADE_DISPATCH, job.pk))
    return job


def _targets(job: RegradeJob) -> QuerySet[Submission]:
    if job.scope == RegradeJob.Scope.EXERCISE:
        scope = Submission.objects.filter(exercise=job.exercise)
    else:
        scope = Submission.objects.filter(pk__in=job.submission_ids)
    # Queued and running ones are about to be graded anyway; ones this job already
    # snapshotted (a redelivered dispatch) are not taken twice.
    return scope.filter(status__in=Submission.FINAL_STATUSES).exclude(history__job=job)


def regrade_dispatch(*, job_id: int) -> RegradeJob | None:
    """Snapshot and re-queue the job's submissions in chunks, each chunk enqueued when
    it commits. Resumable: a redelivered message continues where the last one stopped."""
    claimed = RegradeJob.objects.filter(
        pk=job_id, status__in=[RegradeJob.Status.PENDING, RegradeJob.Status.DISPATCHING]
    ).update(status=RegradeJob.Status.DISPATCHING)
    if not claimed:
        return None
    job = RegradeJob.objects.get(pk=job_id)
    ids = list(_targets(job).order_by("id").values_list("id", flat=True))
    already = SubmissionResultHistory.objects.filter(job=job).count()
    RegradeJob.objects.filter(pk=job.pk).update(total=already + len(ids))
    for start in range(0, len(ids), DISPATCH_CHUNK):
        _dispatch_chunk(job, ids[start : start + DISPATCH_CHUNK])
    total = SubmissionResultHistory.objects.filter(job=job).count()
    RegradeJob.objects.filter(pk=job.pk).update(
        status=RegradeJob.Status.DISPATCHED, total=total, dispatched_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _dispatch_chunk(job: RegradeJob, ids: list[int]) -> None:
    with transaction.atomic():
        rows = list(
            Submission.objects.select_for_update()
            .filter(pk__in=ids, status__in=Submission.FINAL_STATUSES)
            .values("id", *SNAPSHOT_FIELDS)
        )
        now = timezone.now()
        SubmissionResultHistory.objects.bulk_create(
            SubmissionResultHistory(
                submission_id=row["id"],
                job=job,
                replaced_at=now,
                **{name: row[name] for name in SNAPSHOT_FIELDS},
            )
            for row in rows
        )
        requeued = [row["id"] for row in rows]
        Submission.objects.filter(pk__in=requeued).update(
            status=Submission.Status.QUEUED,
            enqueued_at=now,
            started_at=None,
            # A fresh budget of grading attempts: the regrade is a new grading.
            grade_attempts=0,
        )
        for pk in requeued:
            transaction.on_commit(partial(queue.enqueue, queue.GRADE_SUBMISSION, pk))


@dataclass(frozen=True)
class RegradeProgress:
    total: int | None
    done: int
    errored: int

    @property
    def is_complete(self) -> bool:
        return self.total is not None and self.done >= self.total

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.total == 0 else 0
        return min(100, round(100 * self.done / self.total))


def regrade_progress(*, job: RegradeJob) -> RegradeProgress:
    """How many of the job's submissions are final again (graded after the snapshot).
    The total is known once the dispatch has finished."""
    return regrade_progress_many(jobs=[job])[job.pk]


def regrade_progress_many(*, jobs: list[RegradeJob]) -> dict[int, RegradeProgress]:
    """Progress of several jobs in one grouped query, by job id."""
    counts = {
        row["job_id"]: row
        for row in SubmissionResultHistory.objects.filter(
            job__in=[job.pk for job in jobs],
            submission__status__in=Submission.FINAL_STATUSES,
            submission__graded_at__gte=F("replaced_at"),
        )
        .order_by()
        .values("job_id")
        .annotate(
            done=Count("id"),
            errored=Count("id", filter=Q(submission__status=Submission.Status.ERROR)),
        )
    }
    return {
        job.pk: RegradeProgress(
            total=job.total if job.status == RegradeJob.Status.DISPATCHED else None,
            done=counts.get(job.pk, {}).get("done", 0),
            errored=counts.get(job.pk, {}).get("errored", 0),
        )
        for job in jobs
    }
