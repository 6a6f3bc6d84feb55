"""Error pages. The one case worth a special page: the database is unreachable (a
restart, a failover). The student then gets "not saved, try again in a moment" as a
503, JSON for the API, instead of a bare 500."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

UNAVAILABLE = (
    "The site's database is unavailable for a moment. Nothing was saved: "
    "try again in a few seconds."
)


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    database_down = isinstance(exc, OperationalError | InterfaceError)
    status = 503 if database_down else 500
    message = (
        UNAVAILABLE if database_down else "Something went wrong on our side; it has been logged."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"error": message}, status=status)
    else:
        # Rendered without the request: context processors would touch the database
        # (the user, the roles) that may be the very thing that is down.
        page = render_to_string("error.html", {"message": message, "status": status})
        response = HttpResponse(page, status=status)
    if database_down:
        response["Retry-After"] = "5"
    return response
