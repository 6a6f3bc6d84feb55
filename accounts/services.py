from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction

from .models import ApiToken
from .roles import instructor_group


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


TOKEN_PREFIX = "agc_"


def api_token_rotate(*, user: AbstractUser) -> str:
    """Make a new token for `user`, replacing any old one, and return it in clear.
    The clear value is shown once; only its hash is kept. The prefix makes a leaked
    token recognisable, and means a token never starts with "-", which a command
    line would read as an option (`autograd-course submit --token -abc...`)."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.update_or_create(user=user, defaults={"key_hash": _hash(key)})
    return key


def api_token_user(*, key: str) -> AbstractUser | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


@transaction.atomic
def demo_accounts_ensure(*, password: str) -> list[str]:
    """Create (or reset the password of) the demo accounts student, instructor, admin."""
    User = get_user_model()
    names = []
    for username, role in (
        ("student", "student"),
        ("instructor", "instructor"),
        ("admin", "admin"),
    ):
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = f"Demo {role}"
        user.is_staff = role == "admin"
        user.is_superuser = role == "admin"
        user.set_password(password)
        user.save()
        if role == "instructor":
            user.groups.add(instructor_group())
        names.append(username)
    return names
