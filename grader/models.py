from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from exercises.models import Exercise


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

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["student", "exercise", "-submitted_at"]),
            models.Index(fields=["status", "enqueued_at"]),
            models.Index(fields=["exercise", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "exercise", "attempt"], name="one_submission_per_attempt"
            )
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
        return self.max_score > 0 and self.best_score >= self.max_score - 1e-9
