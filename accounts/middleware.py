from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from .services import api_token_user


class ApiTokenMiddleware:
    """Authenticates `Authorization: Token <key>` requests.

    A token request carries no cookie a third-party page could ride on, so CSRF does
    not apply to it (as in DRF's TokenAuthentication); session requests keep CSRF."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.startswith("Token "):
            user = api_token_user(key=header[len("Token ") :].strip())
            request.token_auth_failed = user is None  # type: ignore[attr-defined]
            # A failed token never falls back to the session cookie.
            request.user = user if user is not None else AnonymousUser()  # type: ignore[assignment]
            # A cross-site form cannot set this header, so no CSRF can ride on it.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
