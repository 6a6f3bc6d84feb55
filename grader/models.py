from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from exercises.models import Exercise, Quiz
from exercises.spec import full_marks


class Submission(models.Model):
    """One answer by one student, and what grading made of it.

    `results` has the shape of Gradescope's results.json: score, max_score, output and
    tests[] with name, score, max_score, status, output, visibility; plus `extra`
    (how a formula was read, the misconception named, how many checks are hidden)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        GRADED = "graded"
        ERROR = "error"

    FINAL_STATUSES = (Status.GRADED, Status.ERROR)

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    answer = models.TextField(blank=True)
    parts = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField()
    results = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    sandbox_stdout = models.TextField(blank=True)
    sandbox_stderr = models.TextField(blank=True)
    seed = models.BigIntegerField()
    attempt = models.PositiveIntegerField()
    is_late = models.BooleanField(default=False)
    misconception = models.CharField(max_length=80, blank=True, db_index=True)
    grader_version = models.CharField(max_length=40, blank=True)
    grade_attempts = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    enqueued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    # Sent with the answer (the page's form, the API's Idempotency-Key header): the same
    # key from the same student is the same attempt, so a double click or a retried
    # request stores one submission. Empty for answers sent without one.
    idempotency_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["student", "exercise", "-submitted_at"]),
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(fields=["exercise", "status"]),
            # The console's "submissions to one exercise, newest first" (see 0003).
            models.Index(fields=["exercise", "-submitted_at"], name="submission_exercise_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "exercise", "attempt"], name="one_submission_per_attempt"
            ),
            models.UniqueConstraint(
                fields=["student", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_submission_per_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.exercise_id}/{self.student_id} {self.status}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class Score(models.Model):
    """A student's standing on one exercise: the kept score (by the exercise's policy),
    the best and the latest, and how many attempts."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scores"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="scores")
    kept_score = models.FloatField(default=0.0)
    best_score = models.FloatField(default=0.0)
    latest_score = models.FloatField(default=0.0)
    max_score = models.FloatField()
    attempts = models.PositiveIntegerField(default=0)
    best_submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_late = models.BooleanField(default=False)
    solved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "exercise"], name="one_score_per_exercise")
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.exercise_id}: {self.kept_score}/{self.max_score}"

    @property
    def is_solved(self) -> bool:
        return self.max_score > 0 and full_marks(self.best_score, self.max_score)


# --- Grading console (issue 5): overrides, audit log, regrades, result history -------


class ScoreOverride(models.Model):
    """A staff member's manual score for one submission, with the reason.

    Keyed to the submission, not to its result, so a regrade replaces the graded score
    but the override still decides the kept score (services.score_refresh applies it).
    An override is never edited: a new one revokes the previous (`revoked_at`)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="overrides")
    score = models.FloatField()
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_override_per_submission",
            )
        ]

    def __str__(self) -> str:
        return f"override #{self.pk} on submission {self.submission_id}: {self.score}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditLogEntry(models.Model):
    """Who did what to grades, when, from which value to which, and why. Append-only:
    written by grader.audit.audit_record, never changed or deleted from the UI."""

    class Action(models.TextChoices):
        OVERRIDE_SET = "override_set", "score overridden"
        OVERRIDE_REMOVED = "override_removed", "override removed"
        REGRADE_REQUESTED = "regrade_requested", "regrade requested"
        REQUEUE_STUCK = "requeue_stuck", "stuck submissions re-enqueued"
        EXTENSION_SET = "extension_set", "due date extended"
        EXTENSION_REMOVED = "extension_removed", "extension removed"

    action = models.CharField(max_length=30, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the entry still says who after the account is deleted.
    actor_username = models.CharField(max_length=150)
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exercise = models.ForeignKey(
        Exercise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit log entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class RegradeJob(models.Model):
    """A request to grade again one submission, a selection or a whole exercise.

    The job's task snapshots each result into SubmissionResultHistory, puts the
    submission back in `queued` and enqueues the ordinary grading task, so a regrade
    is the same `submission_grade` as the first time. Progress is read from the
    history rows whose submission is final again."""

    class Scope(models.TextChoices):
        SUBMISSIONS = "submissions"
        EXERCISE = "exercise"

    class Status(models.TextChoices):
        PENDING = "pending"
        DISPATCHING = "dispatching"
        DISPATCHED = "dispatched"

    scope = models.CharField(max_length=20, choices=Scope.choices)
    exercise = models.ForeignKey(
        Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    submission_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if self.exercise is not None:
            return f"regrade #{self.pk} of {self.exercise.slug}"
        return f"regrade #{self.pk} of {len(self.submission_ids)} submissions"


class SubmissionResultHistory(models.Model):
    """A submission's result as it was before a regrade replaced it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="history")
    job = models.ForeignKey(
        RegradeJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )
    status = models.CharField(max_length=10)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField()
    results = models.JSONField(default=dict, blank=True)
    misconception = models.CharField(max_length=80, blank=True)
    error_message = models.TextField(blank=True)
    sandbox_stdout = models.TextField(blank=True)
    sandbox_stderr = models.TextField(blank=True)
    grader_version = models.CharField(max_length=40, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-id"]
        verbose_name_plural = "submission result history"

    def __str__(self) -> str:
        return f"submission {self.submission_id} before {self.replaced_at:%Y-%m-%d %H:%M}"


class HintUnlock(models.Model):
    """One hint of an exercise's ladder, opened for one student: when and how (after
    failed attempts, or asked for). Never deleted or changed: the instructor's record
    of who used which hint, and the count the hint penalty reads (grader.hints)."""

    class How(models.TextChoices):
        AFTER_FAILURES = "after_failures", "after failed attempts"
        REQUESTED = "requested", "asked for"

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hint_unlocks"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="hint_unlocks")
    number = models.PositiveSmallIntegerField()  # 1 is the first hint of the ladder
    how = models.CharField(max_length=16, choices=How.choices)
    unlocked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["unlocked_at", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "exercise", "number"], name="one_unlock_per_hint"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.exercise_id} hint {self.number} ({self.how})"


class DueExtension(models.Model):
    """A later due date for one student on one exercise, or a later closing time on one
    quiz (illness, an accommodation), granted by staff with a reason. That student's
    answers are judged against it (grader.deadlines, grader.extensions); granting or
    removing one is recorded in the audit log."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="due_extensions"
    )
    exercise = models.ForeignKey(
        Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="extensions"
    )
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.CASCADE, related_name="extensions"
    )
    due_at = models.DateTimeField()  # a quiz's closing time for this student
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(exercise__isnull=False, quiz__isnull=True)
                    | models.Q(exercise__isnull=True, quiz__isnull=False)
                ),
                name="extension_of_an_exercise_or_a_quiz",
            ),
            models.UniqueConstraint(
                fields=["student", "exercise"], name="one_extension_per_student_and_exercise"
            ),
            models.UniqueConstraint(
                fields=["student", "quiz"], name="one_extension_per_student_and_quiz"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}/{self.item} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def item(self) -> Exercise | Quiz:
        item = self.exercise or self.quiz
        assert item is not None  # the check constraint
        return item
