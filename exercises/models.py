from __future__ import annotations

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
    content_hash = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug

    def is_late(self, at: timezone.datetime | None = None) -> bool:
        return self.due_at is not None and (at or timezone.now()) > self.due_at
