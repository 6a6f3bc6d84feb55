from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import is_instructor, is_staff


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"is_instructor": False, "is_staff_user": False}
    return {"is_instructor": is_instructor(user), "is_staff_user": is_staff(user)}
