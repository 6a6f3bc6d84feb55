from __future__ import annotations

from django.db.models import QuerySet

from .models import Exercise


def exercises_active() -> QuerySet[Exercise]:
    return Exercise.objects.filter(is_active=True)
