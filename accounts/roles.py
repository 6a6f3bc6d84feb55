"""The three roles: student (any active user), instructor (the `instructor` group) and
admin (Django staff). Staff count as instructors too."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group

INSTRUCTOR_GROUP = "instructor"


def is_instructor(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False):
        return True
    return user.groups.filter(name=INSTRUCTOR_GROUP).exists()  # type: ignore[attr-defined]


def is_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_staff", False))


def instructor_group() -> Group:
    group, _ = Group.objects.get_or_create(name=INSTRUCTOR_GROUP)
    return group
