"""Writes about answers: creating, grading, scoring and re-enqueueing submissions."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from exercises.course import load_spec
from exercises.models import Exercise
from exercises.spec import full_marks, variant_seed

from . import notify, queue, signals
from .deadlines import is_late_for
from .hints import attempt_value, hint_unlock_times, hints_unlock_after_failures
from .intake import AnswerRejected, check_answer
from .models import Score, Submission

logger = logging.getLogger(__name__)


_queue_depth_seen: tuple[float, int] = (-1e9, 0)  # (monotonic time, depth) per process


def _queue_depth() -> int:
    """Queued submissions, counted at most every GRADER_QUEUE_DEPTH_CACHE_SECONDS per
    web process: the bound is a guard against unbounded growth, not an exact gate, and
    counting a deep queue on every submit made the overload worse."""
    global _queue_depth_seen
    seen_at, depth = _queue_depth_seen
    now = time.monotonic()
    if now - seen_at >= settings.GRADER_QUEUE_DEPTH_CACHE_SECONDS:
        depth = Submission.objects.filter(status=Submission.Status.QUEUED).count()
        _queue_depth_seen = (now, depth)
    return depth


def _check_queue_depth() -> None:
    if _queue_depth() >= settings.GRADER_MAX_QUEUE_DEPTH:
        raise AnswerRejected(
            "The grader is busy right now; try again in a moment. Nothing was submitted.",
            status=503,
        )


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def _submission_with_key(*, student: User, exercise: Exercise, key: str) -> Submission | None:
    """The submission already stored under ``key``: the same attempt, sent again."""
    if not key:
        return None
    found = Submission.objects.filter(student=student, idempotency_key=key).first()
    if found is not None and found.exercise_id != exercise.pk:
        raise AnswerRejected(
            "This idempotency key was already used for another exercise; send a new one.",
            status=422,
        )
    return found


def submission_create(
    *,
    student: User,
    exercise: Exercise,
    answer: Any,
    parts: Any = None,
    idempotency_key: str = "",
) -> Submission:
    """Accept an answer: validate it, store it as `queued`, enqueue grading on commit.
    Raises AnswerRejected (nothing stored) for an answer we will not grade.

    ``idempotency_key``: an answer sent again with the key of one already stored (a
    double click, a retried request) returns that submission and stores nothing, even
    when the limits would now refuse a new one."""
    if idempotency_key and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise AnswerRejected("The idempotency key must be 8–64 letters, digits or . _ : -.")
    if found := _submission_with_key(student=student, exercise=exercise, key=idempotency_key):
        return found
    if not exercise.is_active:
        raise AnswerRejected("This exercise is not open.", status=404)
    answer, parts = check_answer(exercise, answer, parts)
    _check_queue_depth()
    for _ in range(3):
        try:
            with transaction.atomic():
                # One query for both limits: answers in the last minute (any exercise)
                # and attempts so far at this one.
                counts = Submission.objects.filter(student=student).aggregate(
                    recent=Count(
                        "id", filter=Q(submitted_at__gte=timezone.now() - timedelta(minutes=1))
                    ),
                    previous=Count("id", filter=Q(exercise=exercise)),
                )
                recent, previous = counts["recent"], counts["previous"]
                if recent >= settings.GRADER_RATE_LIMIT_PER_MINUTE:
                    raise AnswerRejected(
                        f"You have submitted {recent} answers in the last minute; "
                        "wait a moment and try again.",
                        status=429,
                    )
                if exercise.attempt_limit is not None and previous >= exercise.attempt_limit:
                    raise AnswerRejected(
                        f"You have used all {exercise.attempt_limit} attempts for this exercise.",
                        status=403,
                    )
                now = timezone.now()
                submission = Submission.objects.create(
                    student=student,
                    exercise=exercise,
                    answer=answer,
                    parts=parts,
                    max_score=exercise.max_score,
                    seed=variant_seed(student.pk, exercise.slug),
                    attempt=previous + 1,
                    is_late=is_late_for(student_id=student.pk, exercise=exercise, at=now),
                    submitted_at=now,
                    enqueued_at=now,
                    idempotency_key=idempotency_key,
                )
                queue.enqueue_on_commit(queue.GRADE_SUBMISSION, submission.pk)
                return submission
        except IntegrityError:
            # The same key sent twice at once: the other request stored it.
            found = _submission_with_key(student=student, exercise=exercise, key=idempotency_key)
            if found is not None:
                return found
            # Two submissions of the same student raced for the same attempt number.
            continue
    raise AnswerRejected("Too many submissions at once; try again.", status=429)


def _claim(submission_id: int) -> bool:
    """queued -> running, compare-and-set: False if someone else has it or it is final."""
    updated = Submission.objects.filter(pk=submission_id, status=Submission.Status.QUEUED).update(
        status=Submission.Status.RUNNING,
        started_at=timezone.now(),
        grade_attempts=F("grade_attempts") + 1,
    )
    if updated == 1:
        # A result card showing "queued" waits for this change (views.submission_result).
        notify.announce_running(submission_id)
    return updated == 1


def submission_take_back(*, submission_id: int) -> bool:
    """running -> queued for a redelivered grading message, whose first run died, so
    that the redelivery can claim it. A row out of attempts is left to the sweep, which
    ends it in `error`: an answer that kills its worker cannot loop. If the first run
    were still alive, the compare-and-set on store still lets only one result in."""
    return bool(
        Submission.objects.filter(
            pk=submission_id,
            status=Submission.Status.RUNNING,
            grade_attempts__lt=settings.GRADER_MAX_ATTEMPTS,
        ).update(status=Submission.Status.QUEUED, enqueued_at=timezone.now())
    )


def submission_grade(*, submission_id: int) -> Submission | None:
    """Grade one queued submission. Safe to run twice and concurrently: only the run
    that wins the claim grades; the others return None."""
    if not _claim(submission_id):
        return None
    # The worker's side: grading imports torch, which a web process (that only takes
    # answers in) never loads.
    from .grading import grade_answer

    submission = Submission.objects.select_related("exercise").get(pk=submission_id)
    exercise = submission.exercise
    try:
        spec = load_spec(exercise.slug)
        outcome = grade_answer(
            spec,
            answer=submission.answer,
            parts=submission.parts,
            seed=submission.seed,
            attempt=submission.attempt,
        )
    except Exception:
        logger.exception("grading submission %s failed", submission_id)
        return _grading_failed(submission)
    score = outcome.score
    if submission.is_late and exercise.late_penalty:
        score = round(score * (1.0 - exercise.late_penalty), 6)
        outcome.results["extra"]["late_penalty"] = exercise.late_penalty
        outcome.results["score"] = score
    now = timezone.now()
    # From the last enqueue, not the submission: a regrade is queued days later.
    queued_ms = (
        (submission.started_at - submission.enqueued_at).total_seconds() * 1000
        if submission.started_at
        else 0.0
    )
    timings = {
        **outcome.timings,
        "queue_ms": round(queued_ms, 2),
        "submit_to_score_ms": round((now - submission.submitted_at).total_seconds() * 1000, 2),
    }
    final = {
        "status": Submission.Status.GRADED,
        "score": score,
        "max_score": outcome.max_score,
        "results": outcome.results,
        "misconception": outcome.misconception,
        "sandbox_stdout": outcome.stdout[:65536],
        "sandbox_stderr": outcome.stderr[:65536],
        "error_message": "",
        "grader_version": settings.GRADER_VERSION,
        "timings": timings,
        "graded_at": now,
    }
    with transaction.atomic():
        # Stored only if the lateness this run graded with still holds: an extension
        # granted meanwhile changes the late penalty (grader.extensions).
        updated = Submission.objects.filter(
            pk=submission.pk, status=Submission.Status.RUNNING, is_late=submission.is_late
        ).update(**final)
        if updated != 1:
            # The sweep re-queued it meanwhile (the other run will store), or its
            # lateness changed: then it is graded again, now, with the flag as it is.
            queue.requeue(
                Submission.objects.exclude(is_late=submission.is_late),
                submission.pk,
                from_status=Submission.Status.RUNNING,
                to_status=Submission.Status.QUEUED,
                task=queue.GRADE_SUBMISSION,
            )
            return None
        for name, value in final.items():  # what was stored, without reading it back
            setattr(submission, name, value)
        score_refresh(student_id=submission.student_id, exercise=exercise)
        hints_unlock_after_failures(student_id=submission.student_id, exercise=exercise)
        transaction.on_commit(partial(notify.announce_final, submission.pk))
    return submission


def _grading_failed(submission: Submission) -> Submission:
    """Our failure, not the student's: retry through the sweep until the attempts run
    out, then end in `error` with a message the student can act on."""
    if submission.grade_attempts < settings.GRADER_MAX_ATTEMPTS:
        # Back off: an immediate retry would likely meet the same broken dependency.
        queue.requeue(
            Submission.objects.all(),
            submission.pk,
            from_status=Submission.Status.RUNNING,
            to_status=Submission.Status.QUEUED,
            task=queue.GRADE_SUBMISSION,
            countdown=5.0 * submission.grade_attempts,
        )
    else:
        Submission.objects.filter(pk=submission.pk, status=Submission.Status.RUNNING).update(
            status=Submission.Status.ERROR,
            error_message=(
                "The grader failed on this submission and the staff have been notified. "
                "Your answer is saved; you can submit again."
            ),
            graded_at=timezone.now(),
            grader_version=settings.GRADER_VERSION,
        )
        # A regraded submission that now ends in error must stop counting in the Score.
        score_refresh(student_id=submission.student_id, exercise=submission.exercise)
        transaction.on_commit(partial(notify.announce_final, submission.pk))
    submission.refresh_from_db()
    return submission


def score_refresh(*, student_id: int, exercise: Exercise) -> Score:
    """Recompute a student's Score for one exercise from their graded submissions.

    Three queries: lock the Score row (creating it if need be), read the student's
    submissions with any active override, write the Score (and a fourth, for when hints
    were opened, if the exercise's hints cost points). The lock comes first so two
    workers grading two answers of the same student one after the other cannot each
    write a Score that misses the other's answer."""
    from .models import ScoreOverride  # the console's table; services owns the refresh

    (score,) = Score.objects.bulk_create(
        [Score(student_id=student_id, exercise=exercise, max_score=exercise.max_score)],
        update_conflicts=True,
        unique_fields=["student", "exercise"],
        update_fields=["max_score"],
    )
    active_override = ScoreOverride.objects.filter(
        submission=OuterRef("pk"), revoked_at__isnull=True
    ).values("score")[:1]
    rows: list[Any] = list(
        Submission.objects.filter(student_id=student_id, exercise=exercise)
        .order_by("submitted_at", "id")
        .annotate(override=Subquery(active_override))
        .values("id", "status", "score", "override", "is_late", "graded_at", "submitted_at")
    )
    unlocked = hint_unlock_times(student_id=student_id, exercise=exercise)
    graded = [r for r in rows if r["status"] == Submission.Status.GRADED]
    score.max_score = exercise.max_score
    score.attempts = len(rows)
    if graded:

        def value(row: Any) -> float:
            # A staff override is the score itself; a graded score pays for the hints
            # opened before its attempt (grader.hints).
            if row["override"] is not None:
                return float(row["override"])
            return attempt_value(
                float(row["score"] or 0.0),
                submitted_at=row["submitted_at"],
                penalty=exercise.hint_penalty,
                unlocked=unlocked,
            )

        best = max(graded, key=value)
        latest = graded[-1]
        score.best_score, score.latest_score = value(best), value(latest)
        score.best_submission_id, score.latest_submission_id = best["id"], latest["id"]
        kept = best if exercise.score_policy == Exercise.ScorePolicy.BEST else latest
        score.kept_score = value(kept)
        score.is_late = bool(kept["is_late"])
        solved = [r for r in graded if full_marks(value(r), exercise.max_score)]
        score.solved_at = solved[0]["graded_at"] if solved else None
    else:  # nothing graded (any more): nothing counts
        score.best_score = score.latest_score = score.kept_score = 0.0
        score.best_submission_id = score.latest_submission_id = None
        score.is_late, score.solved_at = False, None
    score.updated_at = timezone.now()
    fields = [
        "max_score",
        "attempts",
        "best_score",
        "latest_score",
        "best_submission_id",
        "latest_submission_id",
        "kept_score",
        "is_late",
        "solved_at",
        "updated_at",
    ]
    Score.objects.filter(student_id=student_id, exercise=exercise).update(
        **{f: getattr(score, f) for f in fields}
    )
    if score.pk is None:  # a backend that does not return ids from an upsert
        score = Score.objects.get(student_id=student_id, exercise=exercise)
    signals.exercise_score_changed.send(
        sender=Score, student_id=student_id, exercise_id=exercise.pk
    )
    return score


def submissions_requeue_stuck(*, older_than: timedelta | None = None) -> list[int]:
    """Re-enqueue submissions stuck in queued/running past the deadline (a worker died,
    a message was lost). Ones that used up their attempts end in `error`."""
    older_than = older_than or timedelta(seconds=settings.GRADER_STUCK_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    stuck = Submission.objects.filter(
        Q(status=Submission.Status.QUEUED, enqueued_at__lt=cutoff)
        | Q(status=Submission.Status.RUNNING, started_at__lt=cutoff)
    )
    requeued: list[int] = []
    for sub in stuck.select_related("exercise").only(
        "id", "status", "grade_attempts", "student_id", "exercise"
    ):
        if sub.grade_attempts >= settings.GRADER_MAX_ATTEMPTS:
            if Submission.objects.filter(pk=sub.pk, status=sub.status).update(
                status=Submission.Status.ERROR,
                error_message=(
                    "Grading did not finish after several tries (the grader may have been "
                    "restarted). Your answer is saved; submit it again to be graded."
                ),
                graded_at=timezone.now(),
            ):
                score_refresh(student_id=sub.student_id, exercise=sub.exercise)
                transaction.on_commit(partial(notify.announce_final, sub.pk))
            continue
        if queue.requeue(
            Submission.objects.all(),
            sub.pk,
            from_status=sub.status,
            to_status=Submission.Status.QUEUED,
            task=queue.GRADE_SUBMISSION,
        ):
            requeued.append(sub.pk)
    return requeued
