from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.html import format_html
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the process answers and the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


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
