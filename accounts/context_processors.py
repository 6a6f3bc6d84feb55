from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .roles import is_instructor, is_staff


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"is_instructor": False, "is_staff_user": False}
    # Lazy: the group lookup is a query, and fragments (the result card, the submit
    # response) never show the navigation that needs it.
    return {
        "is_instructor": SimpleLazyObject(lambda: is_instructor(user)),
        "is_staff_user": is_staff(user),
    }
