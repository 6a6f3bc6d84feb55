from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from .models import ApiToken
from .services import api_token_rotate


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


class LoginView(auth_views.LoginView):
    """Django's login form, offering the single sign-on provider too when configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = settings.SSO_ENABLED
        context["sso_provider_name"] = settings.SSO_PROVIDER_NAME
        context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """A student's API token for the notebook and terminal client: made (or replaced) by
    a POST and shown once; only its hash is kept."""
    user = request.user
    assert isinstance(user, AbstractUser)  # LoginRequiredMiddleware
    token = api_token_rotate(user=user) if request.method == "POST" else None
    context = {
        "token": token,
        "has_token": ApiToken.objects.filter(user=user).exists(),
        "site_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "accounts/api_token.html", context)


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Pages name their icon (base.html); this is for clients that ask the root."""
    return HttpResponseRedirect(static("favicon.svg"))


FORM_EXPIRED = (
    "This page's form has expired: you logged out or in again, perhaps in another tab. "
    "Nothing was sent. Copy what you typed, reload the page and send it again."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check. An htmx request gets a message for the result
    area it targets, not a whole page swapped into it."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(
            format_html('<p class="error" role="alert" id="answer-error">{}</p>', FORM_EXPIRED),
            status=403,
        )
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
