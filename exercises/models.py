from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Exercise(models.Model):
    """An exercise as loaded from `exercises/content/<slug>/` by `loadcourse`.

    The folder on disk is the source of truth; this row is its index for pages,
    foreign keys and deadlines. Grading always reads the folder (exercises.course)."""

    class Kind(models.TextChoices):
        FORMULA = "formula"
        CODE = "code"
        NUMERIC = "numeric"
        CHOICE = "choice"

    class ScorePolicy(models.TextChoices):
        BEST = "best"
        LATEST = "latest"

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=200)
    notes_section = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    protocol = models.CharField(max_length=20)
    statement_md = models.TextField()
    starter = models.TextField(blank=True)
    max_score = models.FloatField()
    position = models.IntegerField(default=100)
    by_hand = models.BooleanField(default=False)
    attempt_limit = models.PositiveIntegerField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    late_penalty = models.FloatField(default=0.0)
    score_policy = models.CharField(
        max_length=10, choices=ScorePolicy.choices, default=ScorePolicy.BEST
    )
    parts = models.JSONField(default=list, blank=True)
    # The hint ladder, easiest first (Markdown with LaTeX), and the share of the score
    # each hint opened before an attempt costs that attempt (grader.hints).
    hints = models.JSONField(default=list, blank=True)
    hint_penalty = models.FloatField(default=0.0)
    content_hash = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug


class Quiz(models.Model):
    """A quiz as loaded from `exercises/content/<slug>/quiz.json` by `loadcourse`.

    As for exercises, the folder is the source of truth for grading; this row holds
    what the pages and the attempt rules need (window, time limit, attempt limit)."""

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=200)
    notes_sections = models.CharField(max_length=40)
    intro_md = models.TextField(blank=True)
    questions = models.JSONField(default=list)
    max_score = models.FloatField()
    position = models.IntegerField(default=1000)
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    attempt_limit = models.PositiveIntegerField(null=True, blank=True)
    score_policy = models.CharField(
        max_length=10, choices=Exercise.ScorePolicy.choices, default=Exercise.ScorePolicy.BEST
    )
    content_hash = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.slug


class QuizAttempt(models.Model):
    """One student's attempt at a quiz: started, then submitted (by the student or by
    the clock: queued for a worker), then graded by a worker, as an exercise answer is.
    `seed` fixes the variant, so a regrade is identical."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        SUBMITTED = "submitted"  # stored and queued for grading
        RUNNING = "running"  # a worker claimed it
        GRADED = "graded"
        ERROR = "error"  # grading failed every time it was tried

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    # True when the time ran out before the answers arrived: graded as unanswered.
    timed_out = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)
    # What the student has typed so far, saved as they type while the attempt is open,
    # so a reload or a closed tab loses nothing. Only a submit makes it `answers`.
    draft_answers = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField()
    results = models.JSONField(default=dict, blank=True)
    # The grading pipeline's bookkeeping, as on grader.Submission.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    grading_started_at = models.DateTimeField(null=True, blank=True)
    grade_attempts = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student", "number"], name="one_quiz_attempt_per_number"
            )
        ]
        indexes = [models.Index(fields=["quiz", "student", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.quiz_id}/{self.student_id} {self.number} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.GRADED, self.Status.ERROR)

    def seconds_left(self, at: datetime | None = None) -> float | None:
        if self.deadline_at is None:
            return None
        return max(0.0, (self.deadline_at - (at or timezone.now())).total_seconds())
