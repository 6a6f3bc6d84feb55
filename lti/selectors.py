from __future__ import annotations

from django.db.models import QuerySet

from .models import GradePublication


def publications(*, state: str = "", limit: int = 500) -> QuerySet[GradePublication]:
    """Grade rows for the staff page, failed and pending first, newest change first."""
    rows = GradePublication.objects.select_related(
        "account__user", "link__exercise", "link__quiz", "link__resource_link__context"
    )
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("state", "-updated_at")[:limit]
