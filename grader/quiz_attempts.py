"""Writes about quiz attempts: starting, submitting, closing and grading them.

A quiz attempt travels as an exercise answer does: the submit stores it as `submitted`
and enqueues `grade_quiz_attempt_task` on commit; a worker claims it (`submitted ->
running`, compare-and-set), grades it (choice and numeric questions are plain data, the
formula questions go through the sandbox's `formula` protocol, grader.quiz_grading) and
stores the result; a failure is retried with a back-off, then ends in `error` with a
message; the periodic sweep re-enqueues attempts left behind and closes the ones whose
time ran out in a closed tab. No web request grades, and no GET writes. Every state
change is a compare-and-set on the status, so a double submit, a submit racing the
clock and two tabs all end with exactly one stored result."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from exercises.models import Quiz, QuizAttempt
from exercises.quiz import load_quiz_spec
from exercises.spec import variant_seed

from . import notify, queue, signals
from .audit import audit_record
from .deadlines import QUIZ_GRACE, closes_at_for, quiz_is_open_for
from .models import AuditLogEntry

logger = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 500


class QuizRefused(Exception):
    """An action on a quiz we will not do; the message is shown to the student as is."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _deadline(quiz: Quiz, started: Any, closes: Any) -> Any:
    """The attempt's deadline: the time limit, cut short by the quiz's closing time
    for this student (`closes`, their extension included)."""
    deadline = (
        started + timedelta(seconds=quiz.time_limit_seconds) if quiz.time_limit_seconds else None
    )
    if closes is not None:
        deadline = min(deadline, closes) if deadline else closes
    return deadline


def quiz_attempt_start(*, student: User, quiz: Quiz) -> QuizAttempt:
    """Start an attempt, or return the one already in progress (a second tab, a reload).
    Raises QuizRefused when the quiz is closed or the attempts are used up."""
    for _ in range(3):
        now = timezone.now()
        for attempt in QuizAttempt.objects.filter(
            quiz=quiz, student=student, status=QuizAttempt.Status.IN_PROGRESS
        ):
            attempt = quiz_attempt_close_if_expired(attempt=attempt, at=now)
            if attempt.is_open:
                return attempt
        if not quiz_is_open_for(student_id=student.pk, quiz=quiz, at=now):
            raise QuizRefused("This quiz is not open for attempts right now.", status=403)
        try:
            with transaction.atomic():
                previous = QuizAttempt.objects.filter(quiz=quiz, student=student).count()
                if quiz.attempt_limit is not None and previous >= quiz.attempt_limit:
                    raise QuizRefused(
                        f"You have used all {quiz.attempt_limit} attempts at this quiz.", status=403
                    )
                number = previous + 1
                return QuizAttempt.objects.create(
                    quiz=quiz,
                    student=student,
                    number=number,
                    # A new variant per attempt (new numbers, new points); stored, so a
                    # regrade reproduces it.
                    seed=variant_seed(student.pk, f"{quiz.slug}:{number}"),
                    started_at=now,
                    deadline_at=_deadline(
                        quiz, now, closes_at_for(student_id=student.pk, quiz=quiz)
                    ),
                    max_score=quiz.max_score,
                )
        except IntegrityError:
            # Another request started an attempt at the same moment: resume that one.
            continue
    raise QuizRefused("Too many requests at once; try again.", status=429)


def _clean(quiz: Quiz, answers: dict[str, Any]) -> dict[str, Any]:
    """Keep answers to known questions only, as short strings (or lists of them)."""

    def text(value: Any) -> str:
        return str(value).replace("\x00", "")[:MAX_ANSWER_CHARS]

    known = {q["id"] for q in quiz.questions}
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        if key not in known or value in (None, "", []):
            continue
        cleaned[key] = [text(v) for v in value][:20] if isinstance(value, list) else text(value)
    return cleaned


def quiz_attempt_save_draft(*, attempt: QuizAttempt, answers: dict[str, Any]) -> bool:
    """Keep what the student has typed so far, so a reload loses nothing. Only an open
    attempt takes a draft (compare-and-set on the status): False once it is submitted,
    or when its time is up."""
    if quiz_attempt_is_expired(attempt):
        return False
    now = timezone.now()
    return bool(
        QuizAttempt.objects.filter(pk=attempt.pk, status=QuizAttempt.Status.IN_PROGRESS).update(
            draft_answers=_clean(attempt.quiz, answers), draft_saved_at=now
        )
    )


def _submit(attempt: QuizAttempt, *, answers: dict[str, Any], at: Any, timed_out: bool) -> int:
    """in_progress -> submitted (queued), and enqueue on commit; 0 if it was not open."""
    with transaction.atomic():
        updated = QuizAttempt.objects.filter(
            pk=attempt.pk, status=QuizAttempt.Status.IN_PROGRESS
        ).update(
            status=QuizAttempt.Status.SUBMITTED,
            submitted_at=at,
            answers=answers,
            timed_out=timed_out,
            enqueued_at=timezone.now(),
        )
        if updated:
            queue.enqueue_on_commit(queue.GRADE_QUIZ_ATTEMPT, attempt.pk)
    return updated


def quiz_attempt_submit(
    *, attempt: QuizAttempt, answers: dict[str, Any], at: Any = None
) -> QuizAttempt:
    """Store the answers and queue them for grading. Answers that arrive after the
    deadline (plus a short grace) are not accepted: the attempt is closed as timed out."""
    at = at or timezone.now()
    late = attempt.deadline_at is not None and at > attempt.deadline_at + QUIZ_GRACE
    updated = _submit(
        attempt,
        answers={} if late else _clean(attempt.quiz, answers),
        at=attempt.deadline_at if late else at,
        timed_out=late,
    )
    if not updated:
        raise QuizRefused("This attempt has already been submitted.", status=409)
    attempt.refresh_from_db()
    return attempt


def quiz_attempt_is_expired(attempt: QuizAttempt, at: Any = None) -> bool:
    """Open, and its time (with the grace) is up: it can no longer take answers."""
    at = at or timezone.now()
    return (
        attempt.is_open
        and attempt.deadline_at is not None
        and at > attempt.deadline_at + QUIZ_GRACE
    )


def quiz_attempt_close_if_expired(*, attempt: QuizAttempt, at: Any = None) -> QuizAttempt:
    """Close an attempt whose time ran out without a submission (the tab was closed):
    it is queued and graded as unanswered. Anything else is returned as it is."""
    if not quiz_attempt_is_expired(attempt, at):
        return attempt
    _submit(attempt, answers={}, at=attempt.deadline_at, timed_out=True)
    attempt.refresh_from_db()
    return attempt


def _claim(attempt_id: int) -> bool:
    return bool(
        QuizAttempt.objects.filter(pk=attempt_id, status=QuizAttempt.Status.SUBMITTED).update(
            status=QuizAttempt.Status.RUNNING,
            grading_started_at=timezone.now(),
            grade_attempts=F("grade_attempts") + 1,
        )
    )


def quiz_attempt_take_back(*, attempt_id: int) -> bool:
    """A redelivered task for an attempt still `running` (its worker was killed): queue
    it again now rather than at the next sweep."""
    return bool(
        QuizAttempt.objects.filter(pk=attempt_id, status=QuizAttempt.Status.RUNNING).update(
            status=QuizAttempt.Status.SUBMITTED, enqueued_at=timezone.now()
        )
    )


GRADING_FAILED = (
    "Grading did not finish after several tries. Your answers are saved; the staff can "
    "regrade this attempt."
)


def quiz_attempt_grade(*, attempt_id: int) -> QuizAttempt | None:
    """Grade a submitted attempt from its stored answers and seed (the worker's side).
    Safe to run twice and concurrently: only the run that wins the claim grades; the
    others return None. A failure goes back to the queue with a back-off, and ends in
    `error` after GRADER_MAX_ATTEMPTS tries."""
    if not _claim(attempt_id):
        return None
    # The worker's side: grading imports torch, which a web process never loads.
    from .quiz_grading import grade_quiz

    attempt = QuizAttempt.objects.select_related("quiz").get(pk=attempt_id)
    try:
        outcome = grade_quiz(
            load_quiz_spec(attempt.quiz.slug),
            answers=attempt.answers,
            seed=attempt.seed,
            attempt=attempt.number,
        )
    except Exception:
        logger.exception("grading quiz attempt %s failed", attempt_id)
        return _grading_failed(attempt)
    outcome.results["extra"]["timings"] = outcome.timings
    graded = QuizAttempt.objects.filter(pk=attempt_id, status=QuizAttempt.Status.RUNNING).update(
        status=QuizAttempt.Status.GRADED,
        score=outcome.score,
        max_score=outcome.max_score,
        results=outcome.results,
        graded_at=timezone.now(),
    )
    if graded:
        _announce(attempt_id)
    attempt.refresh_from_db()
    _score_changed(attempt)
    return attempt


def _announce(attempt_id: int) -> None:
    """Wake the page waiting for this attempt's result (its long poll), after commit."""
    transaction.on_commit(partial(notify.announce_final, notify.quiz_key(attempt_id)))


def _score_changed(attempt: QuizAttempt) -> None:
    """Tell who keeps scores elsewhere (the LTI passback) that a final score is stored."""
    if attempt.is_final:
        signals.quiz_score_changed.send(
            sender=QuizAttempt, student_id=attempt.student_id, quiz_id=attempt.quiz_id
        )


def _grading_failed(attempt: QuizAttempt) -> QuizAttempt:
    if attempt.grade_attempts < settings.GRADER_MAX_ATTEMPTS:
        # Back off: an immediate retry would likely meet the same broken dependency.
        queue.requeue(
            QuizAttempt.objects.all(),
            attempt.pk,
            from_status=QuizAttempt.Status.RUNNING,
            to_status=QuizAttempt.Status.SUBMITTED,
            task=queue.GRADE_QUIZ_ATTEMPT,
            countdown=5.0 * attempt.grade_attempts,
        )
    elif QuizAttempt.objects.filter(pk=attempt.pk, status=QuizAttempt.Status.RUNNING).update(
        status=QuizAttempt.Status.ERROR,
        error_message=GRADING_FAILED,
        graded_at=timezone.now(),
    ):
        _announce(attempt.pk)
    attempt.refresh_from_db()
    _score_changed(attempt)
    return attempt


def quiz_attempts_sweep(*, older_than: timedelta | None = None) -> list[int]:
    """The sweep's part for quizzes: close attempts whose time ran out in a closed tab,
    re-enqueue attempts stuck in submitted/running past the deadline (a worker died, a
    message was lost), and end in `error` those that used up their tries. Returns the
    attempts enqueued."""
    older_than = older_than or timedelta(seconds=settings.GRADER_STUCK_AFTER_SECONDS)
    now = timezone.now()
    enqueued: list[int] = []
    for attempt in QuizAttempt.objects.filter(
        status=QuizAttempt.Status.IN_PROGRESS, deadline_at__lt=now - QUIZ_GRACE
    ).select_related("quiz"):
        if quiz_attempt_close_if_expired(attempt=attempt, at=now).status != "in_progress":
            enqueued.append(attempt.pk)
    cutoff = now - older_than
    stuck = QuizAttempt.objects.filter(
        Q(status=QuizAttempt.Status.SUBMITTED, enqueued_at__lt=cutoff)
        | Q(status=QuizAttempt.Status.RUNNING, grading_started_at__lt=cutoff)
    ).only("id", "status", "grade_attempts")
    for attempt in stuck:
        if attempt.grade_attempts >= settings.GRADER_MAX_ATTEMPTS:
            if QuizAttempt.objects.filter(pk=attempt.pk, status=attempt.status).update(
                status=QuizAttempt.Status.ERROR, error_message=GRADING_FAILED, graded_at=now
            ):
                _announce(attempt.pk)
            continue
        if queue.requeue(
            QuizAttempt.objects.all(),
            attempt.pk,
            from_status=attempt.status,
            to_status=QuizAttempt.Status.SUBMITTED,
            task=queue.GRADE_QUIZ_ATTEMPT,
        ):
            enqueued.append(attempt.pk)
    return enqueued


class QuizRegradeRejected(ValueError):
    """The attempt cannot be regraded now; the message says why."""


def quiz_attempt_regrade(
    *, actor: AbstractBaseUser, attempt: QuizAttempt, reason: str
) -> QuizAttempt:
    """Grade a final (graded or errored) attempt again from its stored answers and
    seed, on a worker, as the first time: the attempt goes back to `submitted` with a
    fresh budget of tries and `grade_quiz_attempt_task` is enqueued on commit. The
    result it replaces is kept in the audit entry (score, status, per-question
    scores), next to who asked and why."""
    final = (QuizAttempt.Status.GRADED, QuizAttempt.Status.ERROR)
    with transaction.atomic():
        before = (
            QuizAttempt.objects.select_for_update()
            .filter(pk=attempt.pk, status__in=final)
            .values("status", "score", "results", "error_message", "graded_at")
            .first()
        )
        if before is None:
            raise QuizRegradeRejected(
                "Only a graded or errored attempt can be regraded; this one is still "
                "open or waiting for a worker."
            )
        QuizAttempt.objects.filter(pk=attempt.pk).update(
            status=QuizAttempt.Status.SUBMITTED,
            enqueued_at=timezone.now(),
            grading_started_at=None,
            grade_attempts=0,
            error_message="",
        )
        audit_record(
            actor=actor,
            action=AuditLogEntry.Action.REGRADE_REQUESTED,
            student_id=attempt.student_id,
            old_value={
                "status": before["status"],
                "score": before["score"],
                "questions": {
                    t.get("question"): t.get("score")
                    for t in (before["results"] or {}).get("tests", [])
                },
                "error": before["error_message"] or None,
                "graded_at": before["graded_at"].isoformat() if before["graded_at"] else None,
            },
            new_value={"quiz": attempt.quiz.slug, "quiz_attempt": attempt.pk},
            reason=reason.strip(),
        )
        queue.enqueue_on_commit(queue.GRADE_QUIZ_ATTEMPT, attempt.pk)
    attempt.refresh_from_db()
    return attempt
