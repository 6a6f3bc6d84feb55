"""LTI endpoints. The platform calls the login and launch URLs from the student's
browser without our session or CSRF token: both are exempt from the site's login
requirement and CSRF check; the id_token's signature, state and nonce are their
protection instead. The site refuses to be framed, so LMSs open it in a new window."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import is_instructor, is_staff

from . import deep_linking, grades, selectors, services, tool
from .models import GradePublication

SESSION_DEEP_LINK = "lti_deep_link_launch"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _rejected(request: HttpRequest, exc: services.LaunchRejected) -> HttpResponse:
    return render(request, "lti/rejected.html", {"message": exc.message}, status=exc.status)


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponseBase:
    try:
        return services.login_redirect(request)
    except services.LaunchRejected as exc:
        return _rejected(request, exc)


@login_not_required
@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        outcome = services.launch_accept(request)
    except services.LaunchRejected as exc:
        return _rejected(request, exc)
    login(request, outcome.user, backend=BACKEND)
    if outcome.deep_linking:
        request.session[SESSION_DEEP_LINK] = outcome.launch_id
        return redirect("lti:deep_link")
    assert outcome.link is not None
    if outcome.link.exercise is not None:
        return redirect("exercises:detail", slug=outcome.link.exercise.slug)
    assert outcome.link.quiz is not None
    return redirect("exercises:quiz", slug=outcome.link.quiz.slug)


@login_not_required
@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(tool.tool_jwks())


@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    launch_id = request.session.get(SESSION_DEEP_LINK)
    if not launch_id or not is_instructor(request.user):
        return _rejected(
            request,
            services.LaunchRejected(
                "No placement request is open. Start it from your course's “add activity” menu.",
                status=403,
            ),
        )
    choices = deep_linking.choices()
    if request.method == "GET":
        return render(request, "lti/deep_link.html", {"choices": choices})
    keys = request.POST.getlist("activity")
    if not keys:
        return render(
            request,
            "lti/deep_link.html",
            {"choices": choices, "error": "Pick at least one activity."},
            status=400,
        )
    try:
        answer = deep_linking.deep_link_answer(
            request=request,
            launch_id=launch_id,
            keys=keys,
            launch_url=request.build_absolute_uri(reverse("lti:launch")),
        )
    except services.LaunchRejected as exc:
        return _rejected(request, exc)
    del request.session[SESSION_DEEP_LINK]
    response = render(request, "lti/deep_link_return.html", {"answer": answer, "count": len(keys)})
    # The answer is a form posted to the platform: allow that one origin as a target.
    response._csp_update = {"form-action": [answer.origin]}  # type: ignore[attr-defined]
    return response


@require_GET
def passback(request: HttpRequest) -> HttpResponse:
    # Instructors read the console; only staff use its write actions (as on the
    # dashboard's console pages).
    if not is_instructor(request.user):
        raise PermissionDenied("Instructors only.")
    state = request.GET.get("state", "")
    return render(
        request,
        "lti/passback.html",
        {
            "rows": selectors.publications(state=state),
            "state": state,
            "states": GradePublication.State.choices,
            "section": "passback",
            "can_resend": is_staff(request.user),
        },
    )


@require_POST
def passback_resend(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_staff(request.user):
        raise PermissionDenied("Staff only.")
    publication = get_object_or_404(GradePublication, pk=pk)
    grades.publication_resend(publication=publication)
    messages.success(request, "The score was queued to be sent again.")
    return redirect(f"{reverse('lti_console:passback')}?state={request.POST.get('state', '')}")
