"""Every route, enumerated from the URLconf, against every role.

A new staff page is covered the moment it is routed: if it is in the `dashboard` or
`console` namespace, students must get 403; every non-public route must send an
anonymous visitor to the login page (or 401 for the API)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"login", "healthz"}
# Single sign-on is reached before a login by nature; unconfigured (as here) it is 404.
SSO = {"oidc_authentication_init", "oidc_authentication_callback"}
# The LTI protocol's endpoints are called by a platform and by the student's browser
# before any session exists: public, with what an anonymous GET gets.
PUBLIC_LTI = {"/lti/login/": 400, "/lti/launch/": 405, "/.well-known/jwks.json": 200}
STAFF_NAMESPACES = {"dashboard", "console", "lti_console"}
FORM = {"reason": "x", "score": "10", "scope": "exercise", "exercise": "chain-rule"}
SAMPLE_ARGS = {"int": 1, "slug": "chain-rule", "str": "x", "path": "x"}


def _routes(patterns: list[Any] | None = None, namespace: str = "") -> list[tuple[str, str]]:
    """(namespace, url) for every named route outside the Django admin."""
    found: list[tuple[str, str]] = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            found += _routes(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            kwargs = {
                name: SAMPLE_ARGS.get(type(conv).__name__.replace("Converter", "").lower(), 1)
                for name, conv in converters.items()
            }
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append((namespace or entry.name, reverse(name, kwargs=kwargs)))
    return found


ROUTES = _routes()
STAFF_ROUTES = [url for ns, url in ROUTES if ns in STAFF_NAMESPACES]


def test_the_enumeration_sees_the_staff_pages() -> None:
    assert len(STAFF_ROUTES) >= 10
    assert any(url.startswith("/dashboard/") for url in STAFF_ROUTES)
    assert any(url.startswith("/console/") for url in STAFF_ROUTES)


@pytest.mark.parametrize(("namespace", "url"), ROUTES)
@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(namespace: str, url: str) -> None:
    response = Client().get(url)
    if namespace in PUBLIC:
        assert response.status_code == 200
    elif namespace in SSO:
        assert response.status_code == 404
    elif url in PUBLIC_LTI:
        assert response.status_code == PUBLIC_LTI[url], url
    elif namespace == "api":
        assert response.status_code in (401, 405)
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", STAFF_ROUTES)
def test_students_get_403_on_every_staff_page_and_action(course, student, url: str) -> None:
    client = Client()
    client.force_login(student)
    # 405 where a route takes only the other method; never a 200 or a redirect.
    got = client.get(url).status_code
    posted = client.post(url, FORM).status_code
    assert {got, posted} <= {403, 405} and 403 in {got, posted}, (url, got, posted)


@pytest.mark.parametrize("url", [u for u in STAFF_ROUTES if u.startswith("/console/")])
def test_instructors_cannot_use_console_write_actions(course, instructor, url: str) -> None:
    from grader.models import AuditLogEntry, RegradeJob, ScoreOverride

    client = Client()
    client.force_login(instructor)
    response = client.post(url, FORM)
    assert response.status_code in (403, 405), url
    assert not ScoreOverride.objects.exists() and not RegradeJob.objects.exists()
    assert not AuditLogEntry.objects.exists()
