from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

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


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, and for an htmx request (a result card polling,
    a form posted by htmx) a whole-page redirect instead of a 302 that htmx would
    follow and swap the login page into a fragment.

    A session lost meanwhile (a logout in another tab) then sends the whole page to the
    login, which comes back to the page the student was on (HX-Current-URL)."""

    # The stubs type the parent's result as a redirect; an htmx request gets a 401 whose
    # HX-Redirect header htmx follows with the whole page, which a 302 cannot do.
    def handle_no_permission(  # type: ignore[override]
        self, request: HttpRequest, view_func: Any
    ) -> HttpResponse:
        if request.headers.get("HX-Request") != "true":
            return super().handle_no_permission(request, view_func)
        back = _same_site_path(request, request.headers.get("HX-Current-URL", ""))
        login = resolve_url(self.get_login_url(view_func))
        response = HttpResponse("Your session has ended: log in again.", status=401)
        query = QueryDict(mutable=True)
        query["next"] = back
        response["HX-Redirect"] = f"{login}?{query.urlencode(safe='/')}" if back else login
        return response


def _same_site_path(request: HttpRequest, url: str) -> str:
    """The path and query of ``url`` if it is on this site, else ""."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
